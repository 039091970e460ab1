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
    string? IdempotencyKey);

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
    string Definition);

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
