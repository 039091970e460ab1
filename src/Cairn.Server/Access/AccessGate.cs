using Cairn.Core.Access;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Access;

/// <summary>Enforces every endpoint's <see cref="AccessRuleAttribute"/> before it runs. Someone not signed in is asked to
/// (401, or the sign-in page for a dashboard page); a signed-in caller who may not see the repository gets the same 404
/// as for one that does not exist; one who sees it but lacks the role gets 403 naming the role. An endpoint without a rule
/// is for admins only, so that a new endpoint is never open by mistake.</summary>
internal sealed class AccessGate(RequestDelegate next, RepositoryAccess access)
{
    public const string SignInFirst = "sign in first: send 'Authorization: Bearer <token>' (an API token, or the admin token in the server's data directory)";
    public const string TokenRefused = "the token is not valid: unknown, expired or revoked, or its user is gone";
    public const string WorkersOnly = "only a worker's token makes the worker calls: send 'Authorization: Bearer <worker token>' (cairn workers add)";
    public const string NotForWorkers = "a worker's token makes only the worker calls";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await next(context);
            return;
        }

        var caller = context.GetCaller();
        var rule = endpoint.Metadata.GetMetadata<AccessRuleAttribute>();
        var need = rule is null ? new AccessNeed.Global(Permission.ManageUsers) : await rule.NeedAsync(context);
        if (need is AccessNeed.Nothing)
        {
            await next(context);
            return;
        }

        var page = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
        if (caller.Refused)
        {
            await RefuseAsync(context, page, TokenRefused);
            return;
        }

        // A worker's token has no user and no role: it passes the worker calls' rule and no other (not even what is open
        // to someone not signed in, such as a public repository's runs).
        if (need is AccessNeed.Worker || caller.Method == CallerMethod.Worker)
        {
            if (need is AccessNeed.Worker && caller.Method == CallerMethod.Worker)
            {
                await next(context);
                return;
            }

            await RefuseAsync(context, page, caller.Method == CallerMethod.Worker ? NotForWorkers : WorkersOnly);
            return;
        }

        var verdict = need switch
        {
            AccessNeed.SignedIn => caller.IsSignedIn ? Verdict.Allowed : Verdict.SignIn,
            AccessNeed.Listing => caller.IsSignedIn ? Verdict.Allowed : Verdict.SignIn,
            AccessNeed.Global global => Decide(caller, caller.GlobalRole, global.Permission, visible: true),
            AccessNeed.OnRepository on => Decide(
                caller, await access.RoleOnAsync(caller, on.Repository, context.RequestAborted), on.Permission, visible: null),
            _ => Verdict.SignIn,
        };

        switch (verdict)
        {
            case Verdict.Allowed:
                await next(context);
                return;
            case Verdict.SignIn:
                await RefuseAsync(context, page, SignInFirst);
                return;
            case Verdict.Hidden:
                await WriteAsync(context, page, Problems.NotFound($"there is nothing at {context.Request.Path}, or it is not yours to see"));
                return;
            default:
                var required = RolePermissions.Required(PermissionOf(need)).ToWire();
                await WriteAsync(context, page, Problems.Forbidden(ForbiddenDetail(caller, need, required), required));
                return;
        }
    }

    private static Verdict Decide(Caller caller, Role? role, Permission permission, bool? visible)
    {
        // A public repository opens its runs, jobs and logs to anyone; nothing else, not even its settings.
        if (!caller.IsSignedIn && permission != Permission.ReadRuns)
        {
            return Verdict.SignIn;
        }

        if (RolePermissions.Allows(role, permission))
        {
            return Verdict.Allowed;
        }

        if (!caller.IsSignedIn)
        {
            return Verdict.SignIn;
        }

        // A global rule's endpoint exists for everyone; a repository's is hidden from whoever holds no role there.
        return role is null && visible is null ? Verdict.Hidden : Verdict.Forbidden;
    }

    private static Permission PermissionOf(AccessNeed need) => need switch
    {
        AccessNeed.Global global => global.Permission,
        AccessNeed.OnRepository on => on.Permission,
        _ => Permission.ReadRuns,
    };

    private static string ForbiddenDetail(Caller caller, AccessNeed need, string required)
    {
        var where = need is AccessNeed.OnRepository on ? $" on {on.Repository}" : " on this server";
        var limit = caller.Scopes is { } scopes ? $" (the token's scopes: {TokenScopes.ToWire(scopes)})" : "";
        return $"this needs the {required} role{where}; {caller.Actor} may not{limit}";
    }

    private static async Task RefuseAsync(HttpContext context, bool page, string detail)
    {
        if (page)
        {
            var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/login" + QueryString.Create(Dashboard.DashboardSession.ReturnParameter, here));
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Unauthorized(detail).ExecuteAsync(context);
    }

    private static async Task WriteAsync(HttpContext context, bool page, IResult problem)
    {
        if (page)
        {
            var status = problem is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status404NotFound;
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/html; charset=utf-8";
            var text = status == StatusCodes.Status404NotFound
                ? "Not found, or not yours to see."
                : "Your role does not allow this page.";
            await context.Response.WriteAsync(
                $"<!doctype html><meta charset=utf-8><title>{status} · Cairn</title><link rel=stylesheet href=/assets/dashboard.css>"
                + $"<main class=\"login\"><h1>{status}</h1><p>{text}</p><p><a href=\"/\">Back to the dashboard</a></p></main>",
                context.RequestAborted);
            return;
        }

        await problem.ExecuteAsync(context);
    }

    private enum Verdict
    {
        Allowed,
        SignIn,
        Hidden,
        Forbidden,
    }
}
