using System.Security.Claims;
using Cairn.Core.Access;
using Cairn.Server.Dashboard;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Access;

/// <summary>Finds who makes each request (<see cref="Caller"/>): a bearer token (the admin token, or a user's API token),
/// else the dashboard's session cookie (for pages, forms and API reads), checked against the session the server keeps,
/// else no one. The user is read on
/// every request, so one removed or disabled loses access on their next. A failed token counts against the client's
/// address (<see cref="FailedSignIns"/>), is logged and audited; past the limit the address gets 429.</summary>
internal sealed partial class CallerResolver(
    RequestDelegate next,
    TokenCallers tokens,
    IUserStore users,
    ISessionStore sessions,
    ServerSettings settings,
    TimeProvider time,
    FailedSignIns failures,
    AuditTrail audit,
    ILogger<CallerResolver> logger)
{
    /// <summary>How stale a session's last-seen time may be before a request notes it again.</summary>
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public async Task InvokeAsync(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString();
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        Caller caller;
        if (context.Request.Path.StartsWithSegments("/git"))
        {
            // The git source checks a lease's source token itself; that token makes no caller, and is no failed sign-in.
            caller = Caller.Anonymous(address);
        }
        else if (presented is not null)
        {
            if (failures.IsBlocked(address))
            {
                context.Response.Headers.RetryAfter = ((int)FailedSignIns.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Api.Problems.TooManyRequests("too many failed authentications from this address; wait a minute").ExecuteAsync(context);
                return;
            }

            caller = await tokens.FromTokenAsync(presented, address, context.RequestAborted);
            if (caller.Refused)
            {
                failures.Fail(address);
                LogRefused(logger, address, context.Request.Path);
                await audit.RecordAsync(caller, AuditActions.TokenRefused, null, TokenHint(presented), AuditOutcomes.Denied, null, context.RequestAborted);
            }
        }
        else if (IsApiWrite(context.Request))
        {
            // The API checks no anti-forgery token, so a session cookie never stands in for a token on a write: no other
            // site can drive the API through a signed-in browser. Reads (the dashboard's live streams) may use it.
            caller = Caller.Anonymous(address);
        }
        else
        {
            caller = await FromSessionAsync(context, address) ?? Caller.Anonymous(address);
        }

        Caller.Set(context, caller);
        await next(context);
    }

    private async Task<Caller?> FromSessionAsync(HttpContext context, string? address)
    {
        if (context.User.FindFirstValue(DashboardSession.SessionClaim) is not { Length: > 0 } key)
        {
            return null;
        }

        var cancellationToken = context.RequestAborted;
        var now = time.GetUtcNow();
        var id = DashboardSession.IdOf(key);
        if (await sessions.GetSessionAsync(id, cancellationToken) is not { EndedAt: null } session
            || now - session.SeenAt > settings.SessionIdle
            || now - session.CreatedAt > settings.SessionLifetime
            || await users.GetUserByIdAsync(session.UserId, cancellationToken) is not { Disabled: false } user)
        {
            await context.SignOutAsync(DashboardSession.Scheme);
            return null;
        }

        if (now - session.SeenAt > TouchEvery)
        {
            await sessions.TouchSessionAsync(id, now, cancellationToken);
        }

        return new Caller
        {
            User = user,
            UncappedRole = GroupRoles.Raise(user.Role, session.Groups, settings.GroupRoles),
            Groups = session.Groups,
            Method = CallerMethod.Session,
            Scopes = session.Scopes,
            SessionId = id,
            ClientAddress = address,
        };
    }

    private static bool IsApiWrite(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);

    /// <summary>What the audit log keeps of a refused token: its public id when it has the shape of one, never more.</summary>
    private static string? TokenHint(string presented) =>
        ApiTokens.TryParse(presented, out var id, out _) ? $"token {id}"
        : Core.Workers.WorkerTokens.TryParse(presented, out var workerId, out _) ? $"worker token {workerId}"
        : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused a token from {Address} for {Path}")]
    private static partial void LogRefused(ILogger logger, string? address, PathString path);
}

/// <summary>Raises a user's global role by the roles their groups map to (<c>Auth:GroupRoles</c>).</summary>
public static class GroupRoles
{
    public static Role? Raise(Role? role, IReadOnlyCollection<string> groups, IReadOnlyDictionary<string, Role> mapping)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(mapping);
        foreach (var group in groups)
        {
            if (mapping.TryGetValue(group, out var mapped) && (role is null || mapped > role))
            {
                role = mapped;
            }
        }

        return role;
    }
}
