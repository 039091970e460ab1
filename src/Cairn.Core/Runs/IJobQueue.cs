namespace Cairn.Core.Runs;

/// <summary>Queued jobs, handed out under leases. A lease must be extended while the job runs and ended exactly once.</summary>
public interface IJobQueue
{
    /// <summary>Claims one queued job whose labels are all among <paramref name="labels"/> and whose retry time has come:
    /// the job moves queued → running with a new lease id, its attempt counted. Null when there is none.</summary>
    Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken);

    /// <summary>Pushes the lease's expiry out, and says whether the lease is still held and whether the job's run was
    /// asked to cancel meanwhile (the lease is extended then too: the job is still stopping).</summary>
    Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken);

    /// <summary>Returns when a cancel of run <paramref name="runId"/> may have been requested, in this process or (where the
    /// store can tell) another, or after <paramref name="maxWait"/>. A request made once this call has begun is not missed:
    /// start the wait, then look at the run. Throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Ends the lease with the job's outcome, compare-and-set on (job id, lease id).
    /// With <see cref="JobCompletion.RetryAt"/> set the job goes back to queued for another attempt instead.
    /// False when the lease was no longer the job's: nothing is written.</summary>
    Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="lease"/> as <see cref="CompleteAsync"/> does and then claims the next job as
    /// <see cref="TryLeaseAsync"/> does, where the store can in one round trip. The completion is decided first and on its
    /// own: a lost lease (false) writes nothing of it, and the next job may still be leased.</summary>
    async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        var completed = await CompleteAsync(lease, completion, cancellationToken);
        var next = await TryLeaseAsync(workerId, labels, cancellationToken);
        return (completed, next);
    }

    /// <summary>Running jobs whose lease expired before now (their worker stopped heartbeating), oldest first, at most
    /// <paramref name="limit"/>. The reaper ends each with <see cref="CompleteAsync"/> (retry or fail), which stays a
    /// compare-and-set on the lease id: a worker that comes back late can no longer write.</summary>
    Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Returns when a job may have become available, or after <paramref name="maxWait"/> (a safety-net poll).</summary>
    Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Gives a leased job back before it started, for a reason that passes with time (a spent daily agent
    /// budget): running → queued, its attempt not counted, leasable again at <paramref name="until"/>, with
    /// <paramref name="reason"/> as its pending reason meanwhile. Compare-and-set on the lease; false when it was lost.</summary>
    Task<bool> DeferAsync(JobLease lease, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this queue cannot give a job back");
}

/// <summary>What a heartbeat found.</summary>
public enum LeaseState
{
    /// <summary>The lease is the worker's and was extended.</summary>
    Held,

    /// <summary>The lease is no longer the worker's (reclaimed or ended): it must stop and write nothing.</summary>
    Lost,

    /// <summary>The lease was extended, and the job's run was asked to cancel: the job should stop.</summary>
    CancelRequested,
}

/// <summary>A worker's claim on a running job, good until <see cref="ExpiresAt"/> unless extended.</summary>
public sealed record JobLease(long JobId, long RunId, Guid LeaseId, string WorkerId, int Attempt, DateTimeOffset ExpiresAt, JobRecord Job)
{
    /// <summary>How often the lease's holder must extend it, when its grantor says (a server over HTTP, from the length of
    /// its leases); a worker beats at this pace when it is shorter than its own.</summary>
    public TimeSpan? Heartbeat { get; init; }

    /// <summary>The W3C traceparent of the run's root span: the job's spans are its children, wherever the job runs.</summary>
    public string? TraceParent { get; init; }

    /// <summary>When the job was last queued (its wait for a lease began); null when the grantor did not say.</summary>
    public DateTimeOffset? QueuedAt { get; init; }
}

/// <summary>How a leased job ended.</summary>
public sealed record JobCompletion(
    JobStatus Status,
    int? ExitCode,
    FailureClass? FailureClass,
    string? Detail,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    DateTimeOffset? RetryAt = null)
{
    /// <summary>The kind of executor that ran the attempt (shell, container, kubernetes…), for the metrics; null when none
    /// was chosen.</summary>
    public string? Executor { get; init; }

    /// <summary>When the attempt's first step started; null when none did.</summary>
    public DateTimeOffset? FirstStepAt { get; init; }

    /// <summary>When the job was queued before this attempt's lease (<see cref="JobLease.QueuedAt"/>), for the metrics.</summary>
    public DateTimeOffset? QueuedAt { get; init; }
}
