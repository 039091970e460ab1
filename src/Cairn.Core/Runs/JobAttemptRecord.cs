namespace Cairn.Core.Runs;

/// <summary>One attempt of a job as the store keeps it: how it ended (or that it still runs), and which worker ran it.</summary>
/// <param name="Attempt">Counted from 1, as <see cref="JobRecord.Attempt"/> is.</param>
/// <param name="Status">How the attempt ended: succeeded, failed or cancelled; an attempt that failed and was retried is
/// failed; running while the attempt still runs.</param>
/// <param name="Worker">The lease owner that ran it (the worker's host name, process id and slot); null when unknown.</param>
public sealed record JobAttemptRecord(
    long JobId,
    int Attempt,
    JobStatus Status,
    int? ExitCode,
    FailureClass? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Worker);
