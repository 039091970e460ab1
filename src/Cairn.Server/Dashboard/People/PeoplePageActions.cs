using Cairn.Core.Access;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Dashboard.People;

/// <summary>What the forms of the tokens, users and members pages post to. Each checks the anti-forgery token (400
/// without it), then hands the form to the API's own handler (<see cref="TokensApi"/>, <see cref="UsersApi"/>,
/// <see cref="MembersApi"/>) so that the same rules refuse and the same audit entries record, and redirects back with a
/// notice naming what changed — never a token's value. Making a token is the tokens page's own form, whose answer is the
/// one place the new value is shown.</summary>
internal static class PeoplePageActions
{
    public const string MembersPage = "/repos/members";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/tokens/revoke", RevokeTokenAsync).ExcludeFromDescription().ForSignedIn();

        var users = app.MapGroup("/users").ExcludeFromDescription().ForGlobal(Permission.ManageUsers);
        users.MapPost("/add", AddUserAsync);
        users.MapPost("/change", ChangeUserAsync);
        users.MapPost("/remove", RemoveUserAsync);

        // Whose members may be changed depends on the form's repository: each action checks the role held there.
        var members = app.MapGroup(MembersPage).ExcludeFromDescription().ForSignedIn();
        members.MapPost("/set", SetMemberAsync);
        members.MapPost("/remove", RemoveMemberAsync);
    }

    private static async Task<IResult> RevokeTokenAsync(HttpContext context, IAntiforgery antiforgery, [AsParameters] TokenDependencies deps)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var caller = context.GetCaller();
        var id = context.Request.Form["id"].ToString().Trim();
        if (caller.User is not { } user)
        {
            return Back("/tokens", "error", "the admin token belongs to no user, so it has no tokens of its own");
        }

        var name = (await deps.Tokens.GetApiTokenAsync(id, context.RequestAborted)) is { } token && token.UserId == user.Id ? token.Name : id;
        var answer = await TokensApi.RevokeAsync(user, id, caller, deps, context.RequestAborted);
        return ApiAnswer.Succeeded(answer) ? Back("/tokens", "revoked", name) : Back("/tokens", "error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> AddUserAsync(
        HttpContext context, IAntiforgery antiforgery, IUserStore users, ServerSettings settings, AuditTrail audit, TimeProvider time)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var form = context.Request.Form;
        var request = new UserRequest(form["name"].ToString(), Given(form["role"].ToString()), Given(form["email"].ToString()));
        var answer = await UsersApi.AddAsync(request, context.GetCaller(), users, settings, audit, time, context.RequestAborted);
        return ApiAnswer.Value<UserView>(answer) is { } added
            ? Back("/users", "added", $"{added.Name} ({added.Role})")
            : Back("/users", "error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> ChangeUserAsync(
        HttpContext context, IAntiforgery antiforgery, IUserStore users, ISessionStore sessions, AuditTrail audit, TimeProvider time)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var form = context.Request.Form;
        var name = form["name"].ToString().Trim();
        bool? disabled = Given(form["disabled"].ToString()) is { } flag ? string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase) : null;
        var request = new UserChangeRequest(Given(form["role"].ToString()), disabled);
        var answer = await UsersApi.ChangeAsync(name, request, context.GetCaller(), users, sessions, audit, time, context.RequestAborted);
        return ApiAnswer.Value<UserView>(answer) is { } changed
            ? Back("/users", "changed", $"{changed.Name}: {changed.Role}{(changed.Disabled ? ", disabled" : "")}")
            : Back("/users", "error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> RemoveUserAsync(HttpContext context, IAntiforgery antiforgery, IUserStore users, AuditTrail audit, TimeProvider time)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var name = context.Request.Form["name"].ToString().Trim();
        var answer = await UsersApi.DeleteAsync(name, context.GetCaller(), users, audit, time, context.RequestAborted);
        return ApiAnswer.Succeeded(answer) ? Back("/users", "removed", name) : Back("/users", "error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> SetMemberAsync(HttpContext context, IAntiforgery antiforgery, [AsParameters] MemberDependencies deps)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var form = context.Request.Form;
        var (repository, resource, who) = (form["repo"].ToString().Trim(), ResourceOf(form["kind"].ToString()), form["who"].ToString().Trim());
        if (await RefusedAsync(context, repository, deps) is { } refused)
        {
            return refused;
        }

        if (who.Length == 0)
        {
            return BackToMembers(repository, "error", resource == RepositoryResource.Member ? "name the user to grant a role to" : "name the group to grant a role to");
        }

        var answer = await MembersApi.SetAsync(repository, resource, who, new GrantRequest(form["role"].ToString()), context.GetCaller(), deps, context.RequestAborted);
        return ApiAnswer.Succeeded(answer)
            ? BackToMembers(repository, "granted", $"{Describe(resource, who)}: {form["role"]}")
            : BackToMembers(repository, "error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> RemoveMemberAsync(HttpContext context, IAntiforgery antiforgery, [AsParameters] MemberDependencies deps)
    {
        if (await ForgedAsync(context, antiforgery) is { } forged)
        {
            return forged;
        }

        var form = context.Request.Form;
        var (repository, resource, who) = (form["repo"].ToString().Trim(), ResourceOf(form["kind"].ToString()), form["who"].ToString().Trim());
        if (await RefusedAsync(context, repository, deps) is { } refused)
        {
            return refused;
        }

        var answer = await MembersApi.RemoveAsync(repository, resource, who, context.GetCaller(), deps, context.RequestAborted);
        return ApiAnswer.Succeeded(answer)
            ? BackToMembers(repository, "removed", Describe(resource, who))
            : BackToMembers(repository, "error", ApiAnswer.Error(answer));
    }

    /// <summary>A 404 for a repository the caller may not see (or that does not exist), a 403 for one whose members they
    /// may not manage; null when they may.</summary>
    private static async Task<IResult?> RefusedAsync(HttpContext context, string repository, MemberDependencies deps)
    {
        var (_, _, refused) = await deps.CheckAsync(context.GetCaller(), repository, context.RequestAborted);
        return refused is null ? null : Results.Text(Sentence(ApiAnswer.Error(refused)), "text/plain", statusCode: ApiAnswer.Status(refused));
    }

    /// <summary>A 400 without a valid anti-forgery token; null when the request may go on.</summary>
    private static async Task<IResult?> ForgedAsync(HttpContext context, IAntiforgery antiforgery) =>
        await antiforgery.IsRequestValidAsync(context)
            ? null
            : Results.Text("The form carried no valid anti-forgery token: reload the page and try again.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);

    internal static RepositoryResource ResourceOf(string kind) =>
        string.Equals(kind, "team", StringComparison.OrdinalIgnoreCase) ? RepositoryResource.Team : RepositoryResource.Member;

    private static string Describe(RepositoryResource resource, string who) => resource == RepositoryResource.Team ? $"group {who}" : who;

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + ".\n";

    private static string? Given(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static IResult Back(string page, string key, string text) => Results.Redirect(page + QueryString.Create(key, text));

    private static IResult BackToMembers(string repository, string key, string text) =>
        Results.Redirect(MembersPage + QueryString.Create("repo", repository).Add(key, text));
}
