using System.Security.Claims;
using Cairn.Core.Access;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>Signing in through an OpenID provider: the authorization code flow with PKCE, Cairn a confidential client;
/// the answer comes back to <c>/signin/oidc</c>, the person's claims (with those of the user-info endpoint) become an
/// <see cref="ExternalPerson"/>, and <see cref="ExternalSignIn"/> takes it from there.</summary>
internal static class OidcSignIn
{
    public const string Scheme = "oidc";
    public const string CallbackPath = "/signin/oidc";

    public static AuthenticationBuilder AddCairnOidc(this AuthenticationBuilder builder, OidcSignInSettings oidc, string secret)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        return builder.AddRemoteScheme<OpenIdConnectOptions, OpenIdConnectHandler>(Scheme, oidc.Name, options =>
        {
            options.Authority = oidc.Authority.AbsoluteUri;
            options.RequireHttpsMetadata = oidc.Authority.Scheme == Uri.UriSchemeHttps;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = secret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            // The answer comes back as a top-level GET, so the correlation cookie can be SameSite=Lax like the session's.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.CallbackPath = CallbackPath;
            options.SignInScheme = ExternalPerson.Scheme;
            options.SaveTokens = false;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Scope.Clear();
            foreach (var scope in oidc.Scopes)
            {
                options.Scope.Add(scope);
            }

            options.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
            options.ClaimActions.MapJsonKey(oidc.GroupsClaim, oidc.GroupsClaim);
            SignInFlow.Tighten(options.CorrelationCookie, "cairn_oidc_correlation");
            SignInFlow.Tighten(options.NonceCookie, "cairn_oidc_nonce");
            // The redirect URI is under the server's public URL, whatever host a proxy passed the request on with.
            options.Events.OnRedirectToIdentityProvider = context =>
            {
                var settings = context.HttpContext.RequestServices.GetRequiredService<ServerSettings>();
                context.ProtocolMessage.RedirectUri = SignInFlow.PublicAddress(settings, CallbackPath);
                return Task.CompletedTask;
            };
            options.Events.OnTicketReceived = context =>
            {
                context.Principal = Person(context.Principal, oidc.GroupsClaim)?.ToPrincipal(Scheme);
                return Task.CompletedTask;
            };
            options.Events.OnAccessDenied = context => SignInFlow.FailAsync(context, Scheme, "the provider said no");
            options.Events.OnRemoteFailure = context => SignInFlow.FailAsync(context, Scheme, context.Failure?.Message ?? "the provider's answer was refused");
        });
    }

    private static ExternalPerson? Person(ClaimsPrincipal? principal, string groupsClaim)
    {
        if (principal?.FindFirst("sub")?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        return new ExternalPerson(
            UserSource.Oidc,
            subject,
            principal.FindFirst("preferred_username")?.Value,
            principal.FindFirst("email")?.Value,
            [.. principal.FindAll(groupsClaim).Select(c => c.Value).Where(g => g.Length > 0).Distinct(StringComparer.Ordinal)]);
    }
}
