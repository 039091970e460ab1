using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cairn.Core.Access;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>Signing in with GitHub (not an OpenID provider): its OAuth web flow with PKCE, then <c>GET /user</c>,
/// <c>/user/orgs</c> and <c>/user/teams</c> with the token. The person's organisations become groups named
/// <c>org</c>, their teams groups named <c>org/team-slug</c>; their GitHub numeric id is what finds their user again.</summary>
internal static class GitHubSignIn
{
    public const string Scheme = "github";
    public const string CallbackPath = "/signin/github";

    /// <summary>GitHub's REST lists come 30 to a page unless asked; a person in more than 100 organisations or teams
    /// gets the first 100 of each as groups.</summary>
    private const string PerPage = "?per_page=100";

    public static AuthenticationBuilder AddCairnGitHub(this AuthenticationBuilder builder, GitHubSignInSettings github, string secret)
    {
        return builder.AddOAuth<OAuthOptions, Handler>(Scheme, "GitHub", options =>
        {
            options.ClientId = github.ClientId;
            options.ClientSecret = secret;
            options.AuthorizationEndpoint = new Uri(github.Url, "login/oauth/authorize").AbsoluteUri;
            options.TokenEndpoint = new Uri(github.Url, "login/oauth/access_token").AbsoluteUri;
            options.UserInformationEndpoint = new Uri(github.ApiUrl, "user").AbsoluteUri;
            options.CallbackPath = CallbackPath;
            options.SignInScheme = ExternalPerson.Scheme;
            options.UsePkce = true;
            options.SaveTokens = false;
            options.Scope.Clear();
            options.Scope.Add("read:user");
            options.Scope.Add("user:email");
            options.Scope.Add("read:org");
            SignInFlow.Tighten(options.CorrelationCookie, "cairn_github_correlation");
            options.Events.OnCreatingTicket = async context =>
            {
                var ct = context.HttpContext.RequestAborted;
                using var user = await GetAsync(context, options.UserInformationEndpoint, ct);
                using var orgs = await GetAsync(context, new Uri(github.ApiUrl, "user/orgs" + PerPage).AbsoluteUri, ct);
                using var teams = await GetAsync(context, new Uri(github.ApiUrl, "user/teams" + PerPage).AbsoluteUri, ct);
                var groups = orgs.RootElement.EnumerateArray()
                    .Select(org => Text(org, "login"))
                    .Concat(teams.RootElement.EnumerateArray().Select(TeamGroup))
                    .OfType<string>()
                    .Distinct(StringComparer.OrdinalIgnoreCase);
                var id = user.RootElement.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
                context.Principal = new ExternalPerson(UserSource.Github, id, Text(user.RootElement, "login"), Text(user.RootElement, "email"), [.. groups])
                    .ToPrincipal(Scheme);
            };
            options.Events.OnAccessDenied = context => SignInFlow.FailAsync(context, Scheme, "the person or GitHub said no");
            options.Events.OnRemoteFailure = context => SignInFlow.FailAsync(context, Scheme, context.Failure?.Message ?? "GitHub's answer was refused");
        });
    }

    private static async Task<JsonDocument> GetAsync(OAuthCreatingTicketContext context, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("cairn", "1"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        using var response = await context.Backchannel.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AuthenticationFailureException($"GitHub answered {(int)response.StatusCode} to {new Uri(url).AbsolutePath}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary>A team's group name: <c>org/team-slug</c>.</summary>
    private static string? TeamGroup(JsonElement team)
    {
        var owner = team.ValueKind == JsonValueKind.Object && team.TryGetProperty("organization", out var org) ? Text(org, "login") : null;
        var slug = Text(team, "slug");
        return owner is null || slug is null ? null : $"{owner}/{slug}";
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The stock OAuth handler, with the callback address under the server's public URL.</summary>
    private sealed class Handler(IOptionsMonitor<OAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServerSettings settings)
        : OAuthHandler<OAuthOptions>(options, logger, encoder)
    {
        protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri) =>
            base.BuildChallengeUrl(properties, SignInFlow.PublicAddress(settings, Options.CallbackPath));

        protected override Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context) =>
            base.ExchangeCodeAsync(new OAuthCodeExchangeContext(context.Properties, context.Code, SignInFlow.PublicAddress(settings, Options.CallbackPath)));
    }
}
