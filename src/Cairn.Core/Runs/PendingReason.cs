namespace Cairn.Core.Runs;

/// <summary>What a job that is not under way waits for: one neither running nor ended, or a running one its executor
/// cannot start yet.</summary>
public enum PendingReasonKind
{
    /// <summary>Jobs it needs have not ended yet.</summary>
    Needs,

    /// <summary>The run waits for a maintainer's approval; the text is the run's own reason.</summary>
    Approval,

    /// <summary>Queued, for a worker that offers the job's labels (and has a free slot).</summary>
    Worker,

    /// <summary>Queued again after a failed attempt, not to be leased before its back-off has passed.</summary>
    Retry,

    /// <summary>The run is held in its concurrency group behind an older run that has not ended; the text names it.</summary>
    Concurrency,

    /// <summary>Queued, but its repository already runs as many jobs as its limit allows; the text gives both numbers.</summary>
    Limit,

    /// <summary>Leased and running, but its executor cannot start it yet (a pod no node fits, a quota); the text is the
    /// executor's own.</summary>
    Executor,
}

/// <summary>Why a job is not running: a kind for programs and a sentence for people.</summary>
public sealed record PendingReason(PendingReasonKind Kind, string Text)
{
    /// <summary>The kind's lower-case wire name: <c>needs</c>, <c>approval</c>, <c>worker</c>, <c>retry</c>, <c>concurrency</c>,
    /// <c>limit</c> or <c>executor</c>.</summary>
    public string KindWire => Kind switch
    {
        PendingReasonKind.Needs => "needs",
        PendingReasonKind.Approval => "approval",
        PendingReasonKind.Worker => "worker",
        PendingReasonKind.Retry => "retry",
        PendingReasonKind.Concurrency => "concurrency",
        PendingReasonKind.Limit => "limit",
        PendingReasonKind.Executor => "executor",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };
}
