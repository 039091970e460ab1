using System.Globalization;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Ends the attempts whose worker stopped heartbeating: each expired lease is retried as an <c>infra</c>
/// failure while the job's retry policy allows, or else failed saying the worker was lost. Every replica and worker
/// process may run one; the end of a lease is a compare-and-set on its id, so two reapers (or a worker that comes
/// back late) never both write. On the same timer it has the coordinator repair concurrency groups a crash left stalled.</summary>
public sealed class LeaseReaper(IJobQueue queue, IRunStore store, RunCoordinator coordinator, RetryPolicy retry, TimeProvider time)
{
    /// <summary>How often a reaper looks for expired leases unless told otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private const int BatchSize = 100;

    /// <summary>Raised for each lease this reaper ended, after the store has it.</summary>
    public event Action<JobLease, JobCompletion>? Reaped;

    /// <summary>Reaps on a timer until <paramref name="stopping"/>. A store failure is skipped until the next tick.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await ReapAsync(stopping);
                    await coordinator.RepairGroupsAsync(stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // The database may be briefly unreachable; expired leases wait for the next tick, nothing is lost.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Ends every lease that has expired by now. Returns how many this reaper ended.</summary>
    public async Task<int> ReapAsync(CancellationToken cancellationToken)
    {
        var reaped = 0;
        IReadOnlyList<JobLease> expired;
        do
        {
            expired = await queue.FindExpiredLeasesAsync(BatchSize, cancellationToken);
            foreach (var lease in expired)
            {
                if (await EndAsync(lease, cancellationToken))
                {
                    reaped++;
                }
            }
        }
        while (expired.Count == BatchSize);

        return reaped;
    }

    private async Task<bool> EndAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var detail = $"the worker running this job ({lease.WorkerId}) was lost: its lease expired at {Format(lease.ExpiresAt)}";
        var delay = retry.NextDelay(RuleOf(lease.Job), FailureClass.Infra, lease.Attempt);
        DateTimeOffset? retryAt = delay is { } d ? now + d : null;
        var completion = new JobCompletion(JobStatus.Failed, null, FailureClass.Infra, detail, lease.Job.StartedAt ?? now, now, retryAt)
        {
            Executor = Telemetry.CairnMeasurements.ExecutorOfDefinition(KindOf(lease.Job)),
        };

        // The line goes in before the lease ends: once the job is queued again, its next attempt numbers lines after
        // the last one stored. If the lease turns out to have ended meanwhile, the job's own outcome says what happened.
        await NoteInLogAsync(lease, now, retryAt is null ? $"error: {detail}" : $"error: {detail}; it will be tried again", cancellationToken);
        if (!await queue.CompleteAsync(lease, completion, cancellationToken))
        {
            return false;
        }

        Telemetry.CairnMeasurements.LeaseExpired();
        Telemetry.CairnMeasurements.AttemptEnded(completion);
        Reaped?.Invoke(lease, completion);
        await coordinator.AdvanceAsync(lease.RunId, lease.JobId, cancellationToken);
        return true;
    }

    private async Task NoteInLogAsync(JobLease lease, DateTimeOffset at, string text, CancellationToken cancellationToken)
    {
        try
        {
            var last = await store.GetLastLogSequenceAsync(lease.JobId, cancellationToken);
            await store.AppendLogAsync(lease.JobId, [new StoredLogLine(last + 1, 0, LogStream.System, at, text)], cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A worker that stalled rather than died may still be writing lines; the outcome matters, the note does not.
        }
    }

    private static string? KindOf(JobRecord job)
    {
        try
        {
            return JobDefinitionJson.Deserialize(job.Definition).Kind;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static RetryJson? RuleOf(JobRecord job)
    {
        try
        {
            return JobDefinitionJson.Deserialize(job.Definition).Retry;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Format(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
