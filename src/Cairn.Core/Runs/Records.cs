using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Core.Runs;

/// <summary>A run as the store keeps it.</summary>
public sealed record RunRecord(
    long Id,
    string PipelineName,
    string Event,
    string? Ref,
    string? Sha,
    string? Repository,
    RunStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? IdempotencyKey)
{
    /// <summary>The run's number within its repository, from 1 (runs without a repository share one sequence).</summary>
    public long Number { get; init; }

    /// <summary>When its first job started running; null until then, and for a run that never ran a job.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Why a run failed before any job ran (an invalid pipeline is <c>config</c>); null otherwise.</summary>
    public FailureClass? FailureClass { get; init; }

    /// <summary>What made a run fail before any job ran, one message a line.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The pipeline's concurrency group as planned, when it has one.</summary>
    public string? ConcurrencyGroup { get; init; }

    /// <summary>Whether the run, once it starts, cancels older running runs of its <see cref="ConcurrencyGroup"/>.</summary>
    public bool CancelInProgress { get; init; }

    /// <summary>Why a <see cref="RunStatus.Waiting"/> run waits, and for whom; null once it is approved, and for every other run.</summary>
    public string? PendingReason { get; init; }

    /// <summary>The run ahead of this one in its concurrency group while it is held there (status <see cref="RunStatus.Waiting"/>,
    /// none of its jobs queued); null for every other run, among them runs that wait for approval.</summary>
    public long? WaitingBehind { get; init; }

    /// <summary>Someone asked to cancel the run: no job of it is queued any more, and running ones are being stopped.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>Why the run is being cancelled, as the request said; every job the cancel ends records it.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The run this one runs again, for a rerun.</summary>
    public long? RerunOf { get; init; }

    /// <summary>The trigger it was planned from, as kept (null only for runs stored before triggers were).</summary>
    public TriggerEvent? Trigger { get; init; }

    /// <summary>The W3C traceparent of the run's root span (<c>webhook</c> or <c>run.start</c>), written when the run
    /// was created; null when nothing traced it.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A job as the store keeps it. <see cref="Definition"/> is the planner's JSON (<see cref="Planning.JobDefinitionJson"/>).</summary>
public sealed record JobRecord(
    long Id,
    long RunId,
    string Name,
    string Key,
    IReadOnlyList<string> Needs,
    IReadOnlyList<string> Labels,
    JobStatus Status,
    int Attempt,
    int? ExitCode,
    FailureClass? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string Definition)
{
    /// <summary>The job of an earlier run whose success this one took over instead of running (a rerun).</summary>
    public long? ReusedFrom { get; init; }

    /// <summary>When a job queued again after a failed attempt may be leased; null when it may be at once.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Why the running job cannot start yet, as its executor last said (a pod no node fits, say); null when it
    /// is under way, and whenever the job is not running.</summary>
    public string? PendingReason { get; init; }
}

/// <summary>One step's result, as the store keeps it.</summary>
public sealed record StepRecord(
    long JobId,
    int Index,
    string Name,
    StepStatus Status,
    int? ExitCode,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>Where a step stands.</summary>
public enum StepStatus
{
    Running,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

/// <summary>A log line as stored: numbered per job, from 1, with no gaps.</summary>
public sealed record StoredLogLine(long Sequence, int StepIndex, Logs.LogStream Stream, DateTimeOffset Timestamp, string Text);
