using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Access;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>How an approval or a rejection ended.</summary>
public abstract record ApprovalResult
{
    private ApprovalResult()
    {
    }

    /// <summary>Done: the run as it is now (running, or cancelled).</summary>
    public sealed record Done(RunRecord Run) : ApprovalResult;

    public sealed record NotFound : ApprovalResult;

    /// <summary>The run does not wait for approval (any more), and why, in a sentence.</summary>
    public sealed record NotWaiting(string Reason) : ApprovalResult;
}

/// <summary>What a maintainer does with a run that waits for approval (a pull request from a fork): approve it, and it
/// starts as any run starts, superseding what it supersedes; or reject it, and it ends cancelled with the reason. Each is
/// written to the audit log after the compare-and-set that made it so, so the log never says what did not happen.</summary>
public sealed partial class RunApprovals(
    IRunStore store, AuditTrail audit, RunCoordinator coordinator, SupersededRuns superseded, TimeProvider time, ILogger<RunApprovals> log)
{
    /// <summary>What a rejected run's jobs and status say when the maintainer gave no reason.</summary>
    public const string RejectedWithoutReason = "rejected by a maintainer";

    /// <param name="caller">Who approves: the audit log names them, their token and their address.</param>
    public async Task<ApprovalResult> ApproveAsync(long runId, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var actor = caller.Actor ?? "someone";
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null)
        {
            return new ApprovalResult.NotFound();
        }

        if (Refusal(run) is not null || !await coordinator.ApproveRunAsync(runId, cancellationToken))
        {
            return new ApprovalResult.NotWaiting(Refusal(await store.GetRunAsync(runId, cancellationToken) ?? run) ?? $"run {runId} is not waiting for approval");
        }

        // What happened is recorded whatever becomes of the request that asked for it.
        await audit.RecordAsync(
            caller, new NewAuditEntry(time.GetUtcNow(), run.Id, null, run.Repository, null, RunActions.Approve) { Target = $"run {run.Id}" },
            CancellationToken.None);
        LogApproved(log, run.Id, actor);

        var started = await store.GetRunAsync(runId, cancellationToken) ?? run;
        await superseded.CancelOlderInGroupAsync(started, cancellationToken);
        await superseded.CancelOlderWaitingAsync(started, cancellationToken);
        return new ApprovalResult.Done(await store.GetRunAsync(runId, cancellationToken) ?? started);
    }

    /// <param name="reason">What the maintainer said, or null.</param>
    public async Task<ApprovalResult> RejectAsync(long runId, string? reason, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var actor = caller.Actor ?? "someone";
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null)
        {
            return new ApprovalResult.NotFound();
        }

        var said = reason is null ? RejectedWithoutReason : $"rejected: {reason}";
        if (Refusal(run) is not null || !await coordinator.RejectRunAsync(runId, said, cancellationToken))
        {
            return new ApprovalResult.NotWaiting(Refusal(await store.GetRunAsync(runId, cancellationToken) ?? run) ?? $"run {runId} is not waiting for approval");
        }

        await audit.RecordAsync(
            caller, new NewAuditEntry(time.GetUtcNow(), run.Id, null, run.Repository, null, RunActions.Reject, Detail: reason) { Target = $"run {run.Id}" },
            CancellationToken.None);
        LogRejected(log, run.Id, actor);
        return new ApprovalResult.Done(await store.GetRunAsync(runId, cancellationToken) ?? run);
    }

    /// <summary>Why the run cannot be approved or rejected, or null when it waits for approval.</summary>
    private static string? Refusal(RunRecord run) => run switch
    {
        { Status: RunStatus.Waiting, WaitingBehind: not null } =>
            $"run {run.Id} is not waiting for approval: it is held in its concurrency group ({run.PendingReason})",
        { Status: RunStatus.Waiting, CancelRequested: true } => $"run {run.Id} is being cancelled ({run.CancelReason}); it waits for nothing",
        { Status: RunStatus.Waiting } => null,
        _ => $"run {run.Id} is not waiting for approval: it is {run.Status.ToWire()}",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} approved by {Actor}")]
    private static partial void LogApproved(ILogger logger, long runId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} rejected by {Actor}")]
    private static partial void LogRejected(ILogger logger, long runId, string actor);
}
