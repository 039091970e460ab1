using System.Data.Common;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;
using Cairn.Core.Triggers;

namespace Cairn.Storage.Portable;

/// <summary>A job as it is first written: waiting, queued, or already succeeded when it reuses an earlier run's job.</summary>
internal sealed record NewJob(int Ordinal, PlannedJob Planned, JobStatus Status, string? Detail, long? FinishedAt, long ChangedAt)
{
    /// <summary>The job's place in the queue (<see cref="FairOrder"/>) when it is written queued; else null.</summary>
    public long? FairKey { get; init; }
}

/// <summary>Creates runs (planned, or failed before planning) and asks for their cancellation, alike for both dialects.</summary>
internal sealed class RunWriter(IStatementRunner database, IRunDialect dialect, ConcurrencyGroups groups, IStoreEvents events, TimeProvider time)
{
    public async Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var createdAt = RecordRows.Truncate(time.GetUtcNow());
        var run = new RunRecord(
            0, plan.PipelineName, plan.Trigger.EventName, plan.Trigger.Ref, plan.Trigger.Sha, plan.Trigger.Repository,
            plan.PendingReason is null ? RunStatus.Running : RunStatus.Waiting, createdAt, FinishedAt: null, plan.Trigger.IdempotencyKey)
        {
            ConcurrencyGroup = plan.ConcurrencyGroup,
            CancelInProgress = plan.CancelInProgress,
            PendingReason = plan.PendingReason,
            RerunOf = plan.RerunOf,
            Trigger = plan.Trigger,
            TraceParent = RunTrace.Capture(),
        };
        var millis = RecordRows.ToMillis(createdAt);
        return await InsertAsync(
            run,
            async (transaction, written) =>
            {
                // Decided on the run as written: one held by its group, or waiting for approval, queues nothing yet.
                var starts = written.Status == RunStatus.Running;
                var standing = starts && plan.Jobs.Any(job => job.ReusedFrom is null && job.StartsQueued)
                    ? await QueueStandingAsync(transaction, millis, cancellationToken)
                    : millis;
                var queuedBefore = 0;
                var jobs = new List<NewJob>(plan.Jobs.Count);
                foreach (var job in plan.Jobs)
                {
                    jobs.Add(job.ReusedFrom is { } reused
                        ? new NewJob(jobs.Count, job, JobStatus.Succeeded, ReusedDetail(plan, reused), millis, millis)
                        : starts && job.StartsQueued
                            ? new NewJob(jobs.Count, job, JobStatus.Queued, null, null, millis) { FairKey = FairOrder.KeyOf(standing, queuedBefore++) }
                            : new NewJob(jobs.Count, job, JobStatus.Waiting, null, null, millis));
                }

                await dialect.InsertJobsAsync(transaction, written.Id, jobs, cancellationToken);
                return jobs.Any(j => j.Status == JobStatus.Queued);
            },
            cancellationToken);
    }

    public async Task<RunRecord> CreateFailedRunAsync(
        string pipelineName, TriggerEvent trigger, FailureClass failureClass, IReadOnlyList<string> errors, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(errors);
        var when = RecordRows.Truncate(at);
        var run = new RunRecord(
            0, pipelineName, trigger.EventName, trigger.Ref, trigger.Sha, trigger.Repository, RunStatus.Failed, when, when, trigger.IdempotencyKey)
        {
            FailureClass = failureClass,
            Errors = [.. errors],
            Trigger = trigger,
            TraceParent = RunTrace.Capture(),
        };
        return await InsertAsync(run, (_, _) => Task.FromResult(false), cancellationToken);
    }

    public async Task<bool> RequestCancelAsync(long runId, RunStatus? expected, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (expected is { } status && !RunStatusTransitions.IsAllowed(status, RunStatus.Cancelled))
        {
            throw new ArgumentException($"a run that is {status.ToWire()} has ended: there is nothing to cancel", nameof(expected));
        }

        var changed = await database.ExecuteAsync(
            expected is null ? PortableSql.RequestCancel : PortableSql.RequestCancelIf,
            command =>
            {
                command.Bind("@id", runId).Bind("@reason", reason).Bind("@at", RecordRows.ToMillis(at));
                if (expected is { } wanted)
                {
                    command.Bind("@expected", wanted.ToWire());
                }
            },
            cancellationToken);
        if (changed == 0)
        {
            return false;
        }

        await events.CancelRequestedAsync(runId, cancellationToken);
        return true;
    }

    /// <summary>Inserts the run (held, when its concurrency group is busy), numbers it, then inserts its jobs, in one transaction. A run whose idempotency key was used
    /// conflicts before anything is written: the first run is read back instead. <paramref name="insertJobs"/> is given the run as
    /// written and says whether it queued a job.</summary>
    private async Task<RunRecord> InsertAsync(RunRecord run, Func<IStatementRunner, RunRecord, Task<bool>> insertJobs, CancellationToken cancellationToken)
    {
        var (stored, created, queued) = await database.InTransactionAsync(
            async transaction =>
            {
                run = await groups.HoldIfBusyAsync(transaction, run, cancellationToken);
                var ids = await transaction.WriteReturningAsync(
                    PortableSql.InsertRun, command => BindRun(command, run), row => row.GetInt64(0), cancellationToken);
                if (ids is not [var id])
                {
                    var first = await ByKeyAsync(transaction, run.IdempotencyKey!, cancellationToken)
                        ?? throw new InvalidOperationException($"run with idempotency key '{run.IdempotencyKey}' vanished while being read");
                    return (first, false, false);
                }

                // Numbered only once the run is surely new, so that a used key costs no number.
                var number = await NextNumberAsync(transaction, run.Repository, cancellationToken);
                await transaction.ExecuteAsync(
                    PortableSql.NumberRun, command => command.Bind("@id", id).Bind("@number", number), cancellationToken);
                var written = run with { Id = id, Number = number };
                return (written, true, await insertJobs(transaction, written));
            },
            cancellationToken);

        if (created)
        {
            events.StatusChanged(jobQueued: queued);
        }

        return stored;
    }

    /// <summary>Where the queue stands for jobs queued at <paramref name="at"/> (<see cref="FairOrder.Standing"/>).</summary>
    private static async Task<long> QueueStandingAsync(IStatementRunner transaction, long at, CancellationToken cancellationToken)
    {
        var read = await transaction.QueryAsync(FairOrder.ReadStanding, command => command.Bind("@at", at), row => row.GetInt64(0), cancellationToken);
        return read is [var standing] ? standing : at;
    }

    private void BindRun(DbCommand command, RunRecord run)
    {
        var trigger = run.Trigger!;
        command
            .Bind("@pipeline", run.PipelineName)
            .Bind("@event", run.Event)
            .Bind("@ref", run.Ref)
            .Bind("@sha", run.Sha)
            .Bind("@repository", run.Repository)
            .Bind("@status", run.Status.ToWire())
            .Bind("@created", RecordRows.ToMillis(run.CreatedAt))
            .Bind("@finished", RecordRows.ToMillis(run.FinishedAt))
            .Bind("@key", run.IdempotencyKey)
            .Bind("@class", run.FailureClass?.ToWire())
            .Bind("@errors", StorageJson.Write(run.Errors))
            .Bind("@group", run.ConcurrencyGroup)
            .Bind("@rerun", run.RerunOf)
            .Bind("@trigger", TriggerEventJson.Serialize(trigger))
            .Bind("@pending", run.PendingReason)
            .Bind("@cancel_in_progress", run.CancelInProgress)
            .Bind("@waiting_behind", run.WaitingBehind)
            .Bind("@trace_parent", run.TraceParent);
        dialect.BindInputs(command, StorageJson.Write(trigger.Inputs));
    }

    private static async Task<long> NextNumberAsync(IStatementRunner transaction, string? repository, CancellationToken cancellationToken)
    {
        var numbers = await transaction.WriteReturningAsync(
            PortableSql.NextRunNumber,
            command => command.Bind("@repository", NumberingKey(repository)),
            row => row.GetInt64(0),
            cancellationToken);
        return numbers[0];
    }

    private static async Task<RunRecord?> ByKeyAsync(IStatementRunner runner, string key, CancellationToken cancellationToken)
    {
        var runs = await runner.QueryAsync(PortableSql.RunByIdempotencyKey, c => c.Bind("@key", key), RecordRows.ReadRun, cancellationToken);
        return runs.SingleOrDefault();
    }

    /// <summary>Runs are numbered per repository, whatever the case of its name; runs without one share <c>""</c>.</summary>
    private static string NumberingKey(string? repository) => repository?.ToLowerInvariant() ?? "";

    private static string ReusedDetail(RunPlan plan, long reusedJob) =>
        plan.RerunOf is { } rerunOf ? $"reused from run {rerunOf}" : $"reused from job {reusedJob}";
}
