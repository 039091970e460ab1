using Cairn.Server.Access;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>Signing in through identity providers: the schemes of the configured ones (their secrets read from their
/// files here, once), <c>/login/oidc</c> and <c>/login/github</c> that send a person to their provider, and
/// <c>/login/complete</c> where they come back to (after the provider's callback, <c>/signin/oidc</c> or
/// <c>/signin/github</c>, which the handlers answer).</summary>
internal static class SignInEndpoints
{
    public const string CompletePath = "/login/complete";

    /// <summary>Adds the configured providers. Throws <see cref="ServerStartException"/> when a secret file cannot be read.</summary>
    public static IServiceCollection AddCairnSignIn(this IServiceCollection services, ServerSettings settings)
    {
        var signIn = settings.SignIn;
        if (signIn.Oidc is null && signIn.GitHub is null)
        {
            return services;
        }

        services.AddSingleton<ExternalSignIn>();
        var builder = services.AddAuthentication().AddCookie(ExternalPerson.Scheme, options =>
        {
            SignInFlow.Tighten(options.Cookie, "cairn_external");
            options.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            options.SlidingExpiration = false;
        });
        if (signIn.Oidc is { } oidc)
        {
            builder.AddCairnOidc(oidc, ReadSecret(oidc.ClientSecretFile, "--oidc-client-secret-file"));
        }

        if (signIn.GitHub is { } github)
        {
            builder.AddCairnGitHub(github, ReadSecret(github.ClientSecretFile, "--github-client-secret-file"));
        }

        return services;
    }

    public static IEndpointRouteBuilder MapCairnSignIn(this IEndpointRouteBuilder app, ServerSettings settings)
    {
        var signIn = settings.SignIn;
        if (signIn.Oidc is not null)
        {
            app.MapGet("/login/oidc", (HttpContext context, string? @return) => ChallengeAsync(context, OidcSignIn.Scheme, @return))
                .Open().ExcludeFromDescription();
        }

        if (signIn.GitHub is not null)
        {
            app.MapGet("/login/github", (HttpContext context, string? @return) => ChallengeAsync(context, GitHubSignIn.Scheme, @return))
                .Open().ExcludeFromDescription();
        }

        if (signIn.Oidc is not null || signIn.GitHub is not null)
        {
            app.MapGet(CompletePath, (HttpContext context, ExternalSignIn external, CancellationToken ct) => external.CompleteAsync(context, ct))
                .Open().ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>Sends the person to the provider; where they wanted to go is kept, if it is a page of this server. A
    /// provider that cannot be reached (its discovery document, for OpenID Connect) sends them back to the sign-in page
    /// with a sentence, and the log says why in one line.</summary>
    private static async Task ChallengeAsync(HttpContext context, string scheme, string? wanted)
    {
        var properties = new AuthenticationProperties { RedirectUri = CompletePath };
        properties.Items[ExternalSignIn.ReturnItem] = DashboardSession.LocalReturn(wanted);
        try
        {
            await context.ChallengeAsync(scheme, properties);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException && !context.Response.HasStarted)
        {
            SignInFlow.LogUnreachable(context, scheme, ex);
            context.Response.Redirect(SignInFlow.FailedPage(SignInRefusal.Unreachable));
        }
    }

    private static string ReadSecret(string file, string option)
    {
        string secret;
        try
        {
            secret = File.ReadAllText(file).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartException($"{option}: cannot read the client secret from {file}: {ex.Message}");
        }

        return secret.Length > 0 ? secret : throw new ServerStartException($"{option}: {file} is empty; it should hold the client secret");
    }
}
