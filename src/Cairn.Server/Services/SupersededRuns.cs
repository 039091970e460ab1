using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>Cancels what a run supersedes when it starts (created running, or approved): with cancel-in-progress, the
/// older runs of its repository and concurrency group, running or held; and, when a maintainer approves a pull request from a fork,
/// that pull request's older runs still waiting for approval. A fork's run reaches only runs of its own pull request.</summary>
public sealed partial class SupersededRuns(IRunStore store, RunCoordinator coordinator, ILogger<SupersededRuns> log)
{
    private const int Batch = 100;

    /// <summary>With cancel-in-progress, cancels the older runs of <paramref name="run"/>'s group, running or held.</summary>
    public async Task CancelOlderInGroupAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!run.CancelInProgress || run.ConcurrencyGroup is not { } group)
        {
            return;
        }

        // Held runs first: none of them can start while this one runs, and a cancel request reaches a run in either state.
        var held = await store.ListRunsAsync(new RunQuery(run.Repository, RunStatus.Waiting, null, group, null, Batch), cancellationToken);
        var running = await store.ListRunsAsync(new RunQuery(run.Repository, RunStatus.Running, null, group, null, Batch), cancellationToken);
        foreach (var older in held.Where(r => r.WaitingBehind is not null).Concat(running).Where(r => r.Id < run.Id && MayReach(run, r)))
        {
            LogSuperseded(log, older.Id, run.Id, group);
            await coordinator.CancelRunAsync(older.Id, $"superseded by run #{run.Number} in concurrency group '{group}'", cancellationToken);
        }
    }

    /// <summary>When <paramref name="approved"/> is a pull request from a fork, cancels that pull request's older runs that
    /// still wait for approval: the maintainer approved newer code, and the older commits' runs would wait for ever.</summary>
    public async Task CancelOlderWaitingAsync(RunRecord approved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approved);
        if (approved.Trigger?.PullRequest is not { IsFork: true } pull)
        {
            return;
        }

        var waiting = await store.ListRunsAsync(new RunQuery(approved.Repository, RunStatus.Waiting, null, null, null, Batch), cancellationToken);
        foreach (var older in waiting.Where(r => r.Id < approved.Id && r.WaitingBehind is null && MayReach(approved, r)))
        {
            LogSupersededWaiting(log, older.Id, approved.Id, pull.Number);
            await coordinator.CancelRunAsync(
                older.Id, $"superseded by run #{approved.Number}, approved for a newer commit of pull request #{pull.Number}", cancellationToken);
        }
    }

    /// <summary>A run of a pull request from a fork may supersede only runs of the same pull request from a fork. Its group
    /// name is already scoped (<c>fork-pr-N/</c>); this holds even if a base pipeline chose a group of that shape.</summary>
    private static bool MayReach(RunRecord newer, RunRecord older)
    {
        if (newer.Trigger?.PullRequest is not { IsFork: true } pull)
        {
            return true;
        }

        return older.Trigger?.PullRequest is { IsFork: true } other && other.Number == pull.Number;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run {Older} cancelled: superseded by run {Newer} in concurrency group {Group}")]
    private static partial void LogSuperseded(ILogger logger, long older, long newer, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {Older} cancelled: superseded by run {Newer}, approved for pull request {PullRequest}")]
    private static partial void LogSupersededWaiting(ILogger logger, long older, long newer, int pullRequest);
}
