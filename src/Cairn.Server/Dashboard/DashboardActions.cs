using Cairn.Core.Access;
using Cairn.Core.Engine;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Server.Access;
using Cairn.Server.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Dashboard;

/// <summary>What the dashboard's buttons post to: sign out, cancel a run, run it again (all of it or its failed jobs).
/// Each checks the anti-forgery token itself (400 without it), acts through the services the API uses, and redirects
/// back to a page.</summary>
internal static class DashboardActions
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/logout", LogoutAsync).ExcludeFromDescription().Open();
        var runs = app.MapGroup("/runs/{id:long}").ExcludeFromDescription();
        runs.MapPost("/cancel", CancelAsync).ForRunOf(Permission.Cancel);
        runs.MapPost("/rerun", (long id, HttpContext context, IAntiforgery antiforgery, IRunStore store, IRepositoryStore repositories, RunStarter starter) =>
            RerunAsync(id, false, context, antiforgery, store, repositories, starter)).ForRunOf(Permission.Rerun);
        runs.MapPost("/rerun-failed", (long id, HttpContext context, IAntiforgery antiforgery, IRunStore store, IRepositoryStore repositories, RunStarter starter) =>
            RerunAsync(id, true, context, antiforgery, store, repositories, starter)).ForRunOf(Permission.Rerun);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Forged();
        }

        var caller = context.GetCaller();
        await DashboardSession.SignOutAsync(context, context.RequestAborted);
        if (caller.IsSignedIn)
        {
            await context.RequestServices.GetRequiredService<AuditTrail>().RecordAsync(
                caller, AuditActions.SignOut, null, null, AuditOutcomes.Ok, null, context.RequestAborted);
        }

        return Results.Redirect("/login");
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext context, IAntiforgery antiforgery, IRunStore store, RunCoordinator coordinator)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Forged();
        }

        var run = await store.GetRunAsync(id, context.RequestAborted);
        if (run is null)
        {
            return Results.NotFound();
        }

        if (run.Status.HasEnded())
        {
            return Back(id, $"run {id} had already ended ({run.Status.ToWire()})");
        }

        await coordinator.CancelRunAsync(id, "cancelled from the dashboard", context.RequestAborted);
        return Back(id, null);
    }

    private static async Task<IResult> RerunAsync(
        long id, bool onlyFailed, HttpContext context, IAntiforgery antiforgery, IRunStore store, IRepositoryStore repositories, RunStarter starter)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Forged();
        }

        var cancellationToken = context.RequestAborted;
        var run = await store.GetRunAsync(id, cancellationToken);
        if (run is null)
        {
            return Results.NotFound();
        }

        if (run.Repository is null || run.Trigger is null || await repositories.GetRepositoryAsync(run.Repository, cancellationToken) is not { } repository)
        {
            return Back(id, $"run {id} cannot run again: its repository is not on this server");
        }

        if (run.Status == RunStatus.Waiting)
        {
            return Back(id, run.WaitingBehind is { } ahead
                ? $"run {id} is held in its concurrency group behind run {ahead}: it starts when that run ends"
                : $"run {id} is waiting for approval: approve or reject it first");
        }

        if (onlyFailed && run.Status is RunStatus.Running or RunStatus.Succeeded)
        {
            return Back(id, $"run {id} is {run.Status.ToWire()}: only the jobs of a failed or cancelled run can run again");
        }

        var trigger = run.Trigger with { IdempotencyKey = null, Sha = run.Sha };
        var result = await starter.StartAsync(repository, trigger, new StartOptions(Explicit: true, Rerun: run, OnlyFailed: onlyFailed), cancellationToken);
        return result switch
        {
            StartResult.Started started => Results.Redirect($"/runs/{started.Run.Id}"),
            StartResult.Refused refused => Back(id, refused.Reason),
            StartResult.Ignored ignored => Back(id, ignored.Reason),
            _ => throw new InvalidOperationException($"{result} is not a start result"),
        };
    }

    private static IResult Back(long id, string? notice) =>
        Results.Redirect(notice is null ? $"/runs/{id}" : $"/runs/{id}" + QueryString.Create("notice", notice));

    private static IResult Forged() =>
        Results.Text("The form carried no valid anti-forgery token: reload the page and try again.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
}
