using Cairn.Core.Planning;

namespace Cairn.Core.Runs;

/// <summary>Durable runs, jobs, steps and logs. Every state change is a compare-and-set from an expected state.</summary>
public interface IRunStore
{
    /// <summary>Writes the run and all its jobs (status <see cref="JobStatus.Waiting"/>) in one transaction.
    /// With an idempotency key already used, writes nothing and returns the first run.</summary>
    Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The run's jobs in plan order.</summary>
    Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken);

    Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Only the status of each of the run's jobs, by job id: what the coordinator reads on every job's end.</summary>
    Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Moves a job that is not leased (waiting or queued) to another status, only if it is still <paramref name="from"/>.
    /// A move to <see cref="JobStatus.Queued"/> wakes idle workers. A terminal status records <paramref name="detail"/> and the failure class.</summary>
    Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken);

    /// <summary>Moves a run from <paramref name="from"/> to <paramref name="to"/>, only if it is still <paramref name="from"/>.</summary>
    Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces one step's result.</summary>
    Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken);

    Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Appends lines whose sequence numbers the caller assigned (increasing, from 1 per job).</summary>
    Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken);

    /// <summary>The highest sequence number in the job's log, 0 when it has none.</summary>
    Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Lines with a sequence number above <paramref name="afterSequence"/>, at most <paramref name="limit"/>, in order.</summary>
    Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken);
}

/// <summary>What a transition of an unleased job records besides its status.</summary>
public sealed record JobTransition(DateTimeOffset At, FailureClass? FailureClass = null, string? Detail = null)
{
    public static JobTransition Now(TimeProvider time) => new(time.GetUtcNow());
}
