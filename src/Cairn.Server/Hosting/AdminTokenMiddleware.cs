using Cairn.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

/// <summary>Lets a request through only when it carries the admin token as <c>Authorization: Bearer</c>, or is a read
/// (GET, HEAD) from a signed-in dashboard session: the dashboard's scripts follow the live streams with
/// <c>EventSource</c>, which cannot send a header. A write with only the cookie is refused, so no other site can drive
/// the API through a signed-in browser. Any other request gets 401 with <c>WWW-Authenticate: Bearer</c> and a problem
/// saying what to send.</summary>
internal sealed class AdminTokenMiddleware(RequestDelegate next, AdminToken token)
{
    public const string Missing = "send the admin token as 'Authorization: Bearer <token>' (it is in the server's data directory, admin.token)";
    public const string Wrong = "the token is not this server's admin token";

    public async Task InvokeAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var sessionRead = presented is null
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && context.User.Identity?.IsAuthenticated == true;
        if (!sessionRead && !token.Accepts(presented))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.Unauthorized(presented is null ? Missing : Wrong).ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}

/// <summary>Puts the API behind the admin token.</summary>
internal static class AdminTokenAuth
{
    public static IServiceCollection AddAdminToken(this IServiceCollection services, AdminToken token) => services.AddSingleton(token);

    /// <summary>Checks the admin token on every request under <c>/api</c>; the rest (health, the run page, webhooks,
    /// which forges sign instead) stays open.</summary>
    public static IApplicationBuilder UseAdminToken(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), branch => branch.UseMiddleware<AdminTokenMiddleware>());
}
