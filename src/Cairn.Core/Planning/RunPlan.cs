using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Core.Planning;

/// <summary>What the planner decided: a run and its jobs, ready to be written in one transaction.</summary>
public sealed record RunPlan(
    string PipelineName,
    TriggerEvent Trigger,
    IReadOnlyList<PlannedJob> Jobs)
{
    /// <summary>The pipeline's concurrency group, expanded; kept on the run.</summary>
    public string? ConcurrencyGroup { get; init; }

    /// <summary>Whether the run, once it starts, cancels older running runs of its group; kept on the run.</summary>
    public bool CancelInProgress { get; init; }

    /// <summary>The run this plan runs again (a rerun); kept on the run.</summary>
    public long? RerunOf { get; init; }

    /// <summary>Set when the run must wait for a maintainer's approval before any job is queued: why, as the run shows it.
    /// The run is then written <see cref="Runs.RunStatus.Waiting"/>.</summary>
    public string? PendingReason { get; init; }
}

/// <summary>One job of a plan. <see cref="Needs"/> are names of other planned jobs (matrix expanded).
/// <see cref="Definition"/> is JSON the store keeps as it is and the worker reads back.</summary>
public sealed record PlannedJob(
    string Name,
    string Key,
    IReadOnlyList<string> Needs,
    IReadOnlyList<string> Labels,
    string Definition)
{
    /// <summary>A job of an earlier run that succeeded and is not run again: this job is written already succeeded.</summary>
    public long? ReusedFrom { get; init; }

    /// <summary>How soon the job is leased once queued: the job's <c>priority</c>, else the pipeline's, else normal.</summary>
    public Pipelines.JobPriority Priority { get; init; } = Pipelines.JobPriority.Normal;

    /// <summary>Nothing decides whether the job runs but the run's start: it needs no job, has no condition and is not an
    /// approval. The store writes it queued when it writes its run running.</summary>
    public bool StartsQueued { get; init; }
}
