namespace Cairn.Core.Runs;

/// <summary>One status change of a run (<paramref name="JobId"/> null) or of one of its jobs, as the change feed keeps it:
/// its creation, queueing, start, end, a retry's return to queued, or a reaped lease.</summary>
/// <param name="Id">The change's place in the feed: increasing, the cursor to read on from.</param>
/// <param name="Status">The run's or the job's new status: a job's when <paramref name="JobId"/> is set.</param>
/// <param name="Detail">The job's recorded detail (why it failed, was skipped or cancelled), or a failed run's first error.</param>
public sealed record RunChange(long Id, long RunId, long? JobId, ChangeStatus Status, FailureClass? FailureClass, string? Detail, DateTimeOffset At);
