using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Access;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Dashboard;

/// <summary>The dashboard's session: a cookie that carries a random key, and a row the server keeps under the key's
/// SHA-256 (<see cref="ISessionStore"/>). Every request checks the row (<see cref="CallerResolver"/>), so signing out, a
/// removed user, or the idle and absolute limits end a session on the server, whatever the browser kept.</summary>
internal static class DashboardSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "cairn_session";
    public const string ReturnParameter = "return";

    /// <summary>The claim that carries the session's key.</summary>
    public const string SessionClaim = "cairn:session";

    /// <summary>Opens a session for <paramref name="user"/> and sets its cookie. <paramref name="groups"/> are their
    /// identity provider's groups; <paramref name="method"/> is <c>token</c>, <c>oidc</c> or <c>github</c>; a session
    /// opened with an API token keeps that token's <paramref name="scopes"/> as its limit.</summary>
    public static async Task SignInAsync(
        HttpContext context, UserRecord user, IReadOnlyList<string> groups, string method, TokenScope? scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(groups);
        var services = context.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await services.GetRequiredService<ISessionStore>().CreateSessionAsync(
            new SessionRecord(IdOf(key), user.Id, groups, method, now, now, null) { Scopes = scopes }, cancellationToken);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(SessionClaim, key)], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = true });
    }

    /// <summary>Ends the request's session on the server and clears its cookie.</summary>
    public static async Task SignOutAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetCaller().SessionId is { } id)
        {
            var services = context.RequestServices;
            await services.GetRequiredService<ISessionStore>().EndSessionAsync(id, services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);
        }

        await context.SignOutAsync(Scheme);
    }

    /// <summary>The id a session is kept under: the SHA-256 of its key, so that reading the store gives no cookie.</summary>
    public static string IdOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary><paramref name="wanted"/> when it is a path on this server, else <c>/</c>: a link from elsewhere must not
    /// turn the sign-in into a redirect to another site (<c>//evil</c>, <c>https://…</c>, <c>/\evil</c>).</summary>
    public static string LocalReturn(string? wanted) =>
        wanted is { Length: > 0 }
        && wanted[0] == '/'
        && (wanted.Length == 1 || (wanted[1] != '/' && wanted[1] != '\\'))
        && !wanted.Contains('\\', StringComparison.Ordinal)
        && !wanted.Any(char.IsControl)
            ? wanted
            : "/";
}
