using Cairn.Core.Secrets;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Dashboard;

/// <summary>What the secrets page's forms post to: set a secret (global or a registered repository's) and remove one.
/// Each checks the anti-forgery token (400 without it) and that the session is an admin's (403), follows the API's rules
/// (names, sizes, audit) and redirects back to <c>/secrets</c> with a notice that names the secret, never its value.</summary>
internal static class SecretPageActions
{
    /// <summary>The form's scope for a global secret; any other scope names a repository.</summary>
    public const string GlobalScope = "";

    public static void Map(IEndpointRouteBuilder app)
    {
        // Who may change which scope depends on the form's scope: each action checks it (MayManageSecretsAsync).
        var secrets = app.MapGroup("/secrets").ForSignedIn().ExcludeFromDescription();
        secrets.MapPost("/set", SetAsync);
        secrets.MapPost("/remove", RemoveAsync);
    }

    private static async Task<IResult> SetAsync(HttpContext context, IAntiforgery antiforgery, [AsParameters] SecretDependencies deps)
    {
        if (await RefusedAsync(context, antiforgery) is { } refused)
        {
            return refused;
        }

        var cancellationToken = context.RequestAborted;
        var form = context.Request.Form;
        var name = form["name"].ToString().Trim();
        // A textarea sends its line breaks as CRLF; a secret is used on Unix, where a key file's lines end in LF.
        var value = form["value"].ToString().ReplaceLineEndings("\n");
        if (SecretRules.NameError(name) is { } badName)
        {
            return Back("error", $"name: {badName}");
        }

        if (SecretRules.ValueError(value) is { } badValue)
        {
            return Back("error", $"value of {name}: {badValue}");
        }

        if (await ForbiddenAsync(context, form["scope"].ToString()) is { } forbidden)
        {
            return forbidden;
        }

        var scope = await ScopeAsync(form["scope"].ToString(), deps, cancellationToken);
        if (scope.Missing is { } missing)
        {
            return Back("error", missing);
        }

        await deps.SetAsync(scope.Name, name, value, deps.Time.GetUtcNow(), cancellationToken);
        return Back("set", Describe(scope.Name, name));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, IAntiforgery antiforgery, [AsParameters] SecretDependencies deps)
    {
        if (await RefusedAsync(context, antiforgery) is { } refused)
        {
            return refused;
        }

        var cancellationToken = context.RequestAborted;
        var form = context.Request.Form;
        var name = form["name"].ToString();
        if (await ForbiddenAsync(context, form["scope"].ToString()) is { } forbidden)
        {
            return forbidden;
        }

        var scope = await ScopeAsync(form["scope"].ToString(), deps, cancellationToken);
        if (scope.Missing is { } missing)
        {
            return Back("error", missing);
        }

        return await deps.RemoveAsync(scope.Name, name, cancellationToken)
            ? Back("removed", Describe(scope.Name, name))
            : Back("error", $"there is no secret {Describe(scope.Name, name)}");
    }

    /// <summary>A 403 unless the caller may manage the scope's secrets (global: an admin; a repository: its maintainers).
    /// A repository they may not see reads the same as one they may not change.</summary>
    private static async Task<IResult?> ForbiddenAsync(HttpContext context, string scope)
    {
        var access = context.RequestServices.GetRequiredService<RepositoryAccess>();
        return await access.MayManageSecretsAsync(context.GetCaller(), scope.Length == 0 ? null : scope, context.RequestAborted)
            ? null
            : Results.Text(
                scope.Length == 0 ? "Only an admin may change global secrets.\n" : $"Only a maintainer of {scope} may change its secrets.\n",
                "text/plain",
                statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>A 400 without a valid anti-forgery token; null when the request may go on.</summary>
    private static async Task<IResult?> RefusedAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Text(
                "The form carried no valid anti-forgery token: reload the page and try again.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        return null;
    }

    /// <summary>The repository's name as the server knows it (global: null), or why there is none.</summary>
    private static async Task<(string? Name, string? Missing)> ScopeAsync(string scope, SecretDependencies deps, CancellationToken cancellationToken)
    {
        if (scope.Length == 0)
        {
            return (null, null);
        }

        return await deps.Repositories.GetRepositoryAsync(scope, cancellationToken) is { } repository
            ? (repository.Name, null)
            : (null, $"there is no repository {scope} on this server");
    }

    private static string Describe(string? scope, string name) => scope is null ? $"{name} (global)" : $"{name} ({scope})";

    private static IResult Back(string key, string text) => Results.Redirect("/secrets" + QueryString.Create(key, text));
}
