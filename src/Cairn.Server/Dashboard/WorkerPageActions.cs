using Cairn.Core.Access;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Dashboard.People;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Dashboard;

/// <summary>What the workers page's buttons post to. Each checks the anti-forgery token (400 without it), hands the form
/// to <see cref="WorkersApi"/>'s own handler so that the same rules refuse and the same audit entries record, and
/// redirects back with a notice naming what changed. Adding a worker is the page's own form, whose answer is the one
/// place its token is shown.</summary>
internal static class WorkerPageActions
{
    public const string Page = "/workers";

    public static void Map(IEndpointRouteBuilder app)
    {
        var workers = app.MapGroup(Page).ExcludeFromDescription().ForGlobal(Permission.ManageWorkers);
        workers.MapPost("/pause", (HttpContext context, IAntiforgery antiforgery, IWorkerStore store, WorkerIdentities identities, AuditTrail audit, TimeProvider time) =>
            SetPausedAsync(context, antiforgery, store, identities, audit, time, paused: true));
        workers.MapPost("/resume", (HttpContext context, IAntiforgery antiforgery, IWorkerStore store, WorkerIdentities identities, AuditTrail audit, TimeProvider time) =>
            SetPausedAsync(context, antiforgery, store, identities, audit, time, paused: false));
        workers.MapPost("/remove", RemoveAsync);
    }

    private static async Task<IResult> SetPausedAsync(
        HttpContext context, IAntiforgery antiforgery, IWorkerStore store, WorkerIdentities identities, AuditTrail audit, TimeProvider time, bool paused)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Forged();
        }

        var name = context.Request.Form["name"].ToString().Trim();
        var answer = await WorkersApi.SetPausedAsync(name, paused, context.GetCaller(), store, identities, audit, time, context.RequestAborted);
        return ApiAnswer.Succeeded(answer) ? Back(paused ? "paused" : "resumed", name) : Back("error", ApiAnswer.Error(answer));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, IAntiforgery antiforgery, IWorkerStore store, WorkerIdentities identities, AuditTrail audit)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Forged();
        }

        var name = context.Request.Form["name"].ToString().Trim();
        var answer = await WorkersApi.RemoveAsync(name, context.GetCaller(), store, identities, audit, context.RequestAborted);
        return ApiAnswer.Succeeded(answer) ? Back("removed", name) : Back("error", ApiAnswer.Error(answer));
    }

    private static IResult Forged() =>
        Results.Text("The form carried no valid anti-forgery token: reload the page and try again.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);

    private static IResult Back(string key, string text) => Results.Redirect(Page + QueryString.Create(key, text));
}
