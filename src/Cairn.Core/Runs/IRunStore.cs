using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Runs;

/// <summary>Durable runs, jobs, steps and logs. Every state change is a compare-and-set from an expected state.</summary>
public interface IRunStore : IJobAttemptStore
{
    /// <summary>Writes the run and all its jobs (status <see cref="JobStatus.Waiting"/>, or <see cref="JobStatus.Succeeded"/>
    /// for a job the plan reuses) in one transaction, numbering the run within its repository and keeping the plan's trigger.
    /// The run is <see cref="RunStatus.Running"/>, or <see cref="RunStatus.Waiting"/> with the plan's pending reason when it
    /// has one. With an idempotency key already used, writes nothing and returns the first run.</summary>
    /// <remarks>A run that would start running in a concurrency group (and does not cancel in progress) while an older run of
    /// its repository and group has not ended (running, or held itself) is written held instead: <see cref="RunStatus.Waiting"/>
    /// with <see cref="RunRecord.WaitingBehind"/> and a pending reason naming the run ahead. The check and the write are one
    /// transaction that takes the group's turn, so of runs created at once in one group at most one runs.</remarks>
    Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken);

    /// <summary>Approves a run that waits for a maintainer: it starts running, or, when an older run of its concurrency group
    /// has not ended and it does not cancel in progress, joins its group's queue held behind it (as
    /// <see cref="CreateRunAsync"/> decides). Null when it was not waiting for approval (approved, rejected, held, cancelled).</summary>
    Task<RunRecord?> ApproveRunAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>When no run of the repository's concurrency group is running, starts its oldest held run that is not being
    /// cancelled (waiting → running) and has the group's other held runs wait behind it, in one transaction that takes the
    /// group's turn. Returns the run started, or null when the group is busy or holds nothing.</summary>
    Task<RunRecord?> StartNextInGroupAsync(string? repository, string group, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Repairs what a crash may leave behind: starts the next held run of up to <paramref name="limit"/> groups that
    /// hold runs while none of theirs runs, and answers those runs together with the running runs of a group that changed
    /// before <paramref name="stalledBefore"/> and whose jobs all still wait (started, but nobody queued their first jobs).</summary>
    Task<IReadOnlyList<long>> RepairGroupsAsync(DateTimeOffset at, DateTimeOffset stalledBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Records a run that failed before it could be planned (an invalid pipeline): no jobs, status failed, with
    /// its class and errors, numbered like any run. With an idempotency key already used, writes nothing and returns the first run.</summary>
    Task<RunRecord> CreateFailedRunAsync(
        string pipelineName, TriggerEvent trigger, FailureClass failureClass, IReadOnlyList<string> errors, DateTimeOffset at,
        CancellationToken cancellationToken);

    /// <summary>Runs matching every filter the query sets, newest first (by id).</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Marks the run (running, or waiting for approval) as to be cancelled, keeping <paramref name="reason"/> (the
    /// first request's, when asked twice): from now on no job of it is queued, and the workers running its jobs are told
    /// (<see cref="IJobQueue.WaitForCancelRequestAsync"/>). False when the run has already ended.</summary>
    Task<bool> RequestCancelAsync(long runId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>As <see cref="RequestCancelAsync(long, string, DateTimeOffset, CancellationToken)"/>, only while the run's
    /// status is still <paramref name="expected"/> (compare-and-set): a rejection does not reach a run approved meanwhile.</summary>
    /// <exception cref="ArgumentException"><paramref name="expected"/> is a status a run has ended in.</exception>
    Task<bool> RequestCancelAsync(long runId, RunStatus expected, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Status changes of runs and jobs after <paramref name="afterId"/>, of one run or of all, in feed order
    /// (ascending <see cref="RunChange.Id"/>), at most <paramref name="limit"/>. A change never appears behind one already read.</summary>
    Task<IReadOnlyList<RunChange>> ReadChangesAsync(long afterId, long? runId, int limit, CancellationToken cancellationToken);

    /// <summary>Returns once changes after <paramref name="afterId"/> can be read, made by this process or another, or after
    /// <paramref name="maxWait"/>. Throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    Task WaitForChangesAsync(long afterId, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Only what changes of a run while it runs (its status, its cancel request): what the coordinator reads on every
    /// job's end. Null when there is no such run.</summary>
    async Task<RunState?> GetRunStateAsync(long runId, CancellationToken cancellationToken) =>
        await GetRunAsync(runId, cancellationToken) is { } run ? new RunState(run.Status, run.CancelRequested, run.CancelReason) : null;

    /// <summary>The run's jobs in plan order.</summary>
    Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken);

    Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Only the status of each of the run's jobs, by job id: what the coordinator reads on every job's end.</summary>
    Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The status of each of <paramref name="jobIds"/> that is a job of run <paramref name="runId"/>, by job id: what
    /// the coordinator reads of the few jobs a completion concerns.</summary>
    async Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var all = await GetJobStatusesAsync(runId, cancellationToken);
        return jobIds.Where(all.ContainsKey).Distinct().ToDictionary(id => id, id => all[id]);
    }

    /// <summary>Moves a job that is not leased (waiting or queued) to another status, only if it is still <paramref name="from"/>.
    /// A move to <see cref="JobStatus.Queued"/> wakes idle workers, and is refused once the run's cancel was requested.
    /// A terminal status records the transition's detail and failure class.</summary>
    /// <exception cref="ArgumentException">The move goes into or out of running, or is not one of <see cref="JobStatusTransitions"/>.</exception>
    Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken);

    /// <summary>Queues every one of <paramref name="jobIds"/> (jobs of run <paramref name="runId"/>) that is still waiting, as
    /// <see cref="TryTransitionJobAsync"/> would one by one (compare-and-set on waiting, refused once the run's cancel was
    /// requested, idle workers woken), but together. Returns the ids it queued; the others were moved by someone else.</summary>
    async Task<IReadOnlyList<long>> QueueJobsAsync(long runId, IReadOnlyList<long> jobIds, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var queued = new List<long>(jobIds.Count);
        foreach (var jobId in jobIds)
        {
            if (await TryTransitionJobAsync(jobId, JobStatus.Waiting, JobStatus.Queued, transition, cancellationToken))
            {
                queued.Add(jobId);
            }
        }

        return queued;
    }

    /// <summary>Moves a run from <paramref name="from"/> to <paramref name="to"/>, only if it is still <paramref name="from"/>.
    /// A run that leaves <see cref="RunStatus.Waiting"/> no longer has a pending reason.</summary>
    /// <exception cref="ArgumentException">The move is not one of <see cref="RunStatusTransitions"/>.</exception>
    Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Lines with a sequence number above <paramref name="afterSequence"/>, at most <paramref name="limit"/>, in order.</summary>
    Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Lines of step <paramref name="stepIndex"/> only with a sequence number above <paramref name="afterSequence"/>,
    /// at most <paramref name="limit"/>, in order: one step's part of the log, read in pages.</summary>
    Task<IReadOnlyList<StoredLogLine>> ReadStepLogAsync(long jobId, int stepIndex, long afterSequence, int limit, CancellationToken cancellationToken);
}

/// <summary>What changes of a run while it runs: its status, and whether (and why) its cancel was asked.</summary>
public sealed record RunState(RunStatus Status, bool CancelRequested, string? CancelReason);

/// <summary>What a transition of an unleased job records besides its status.</summary>
public sealed record JobTransition(DateTimeOffset At, FailureClass? FailureClass = null, string? Detail = null)
{
    public static JobTransition Now(TimeProvider time) => new(time.GetUtcNow());
}

/// <summary>Which runs to list: every filter that is set must hold. <paramref name="Repository"/> is matched as the runs
/// carry it (as their trigger named it); <paramref name="Branch"/> is a branch name (the run's ref is <c>refs/heads/</c>
/// and it); <paramref name="Event"/> is the event's name as the run keeps it (push, pull_request, manual, schedule…);
/// <paramref name="BeforeId"/> pages back from a run already seen.</summary>
public sealed record RunQuery(
    string? Repository = null,
    RunStatus? Status = null,
    string? Branch = null,
    string? ConcurrencyGroup = null,
    long? BeforeId = null,
    int Limit = 50,
    string? Event = null)
{
    /// <summary>When set, only runs of these repositories (those the asker may see); an empty set lists nothing.</summary>
    public IReadOnlyCollection<string>? Repositories { get; init; }
}
