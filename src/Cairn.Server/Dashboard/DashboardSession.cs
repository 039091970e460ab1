using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Dashboard;

/// <summary>The dashboard's session: a cookie given to whoever pasted a token the server accepts, and where to send
/// them after signing in.</summary>
internal static class DashboardSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "cairn_session";
    public const string ReturnParameter = "return";
    public static readonly TimeSpan IdleLimit = TimeSpan.FromHours(8);

    /// <summary>Signs the request in as the admin (the only identity a token names today).</summary>
    public static Task SignInAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "admin")], Scheme);
        return context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = true });
    }

    /// <summary>Whether the session may change what only admins may (secrets). The one place that says who is an admin:
    /// every session is one today, since the admin token is the only token.</summary>
    public static bool IsAdmin(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true && user.IsInRole("admin");
    }

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
