namespace Cairn.Core.Runs;

/// <summary>Where a run stands. A run is created <see cref="Running"/>, or <see cref="Waiting"/> when a maintainer must
/// approve it first or an older run of its concurrency group has not ended, and ends in one of the other three. The legal moves are <see cref="RunStatusTransitions"/>.</summary>
public enum RunStatus
{
    Running,
    Succeeded,
    Failed,
    Cancelled,

    /// <summary>Held until a maintainer approves it (a pull request from a fork), or held in its concurrency group behind an
    /// older run (<see cref="RunRecord.WaitingBehind"/>): none of its jobs is queued.</summary>
    Waiting,
}

/// <summary>Where a job stands. Every change is a compare-and-set from the expected status; the legal moves are
/// <see cref="JobStatusTransitions"/>.</summary>
public enum JobStatus
{
    Waiting,
    Queued,
    Running,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}

/// <summary>Why a job failed: the shared vocabulary that retry policy, statuses and the API speak.</summary>
public enum FailureClass
{
    Script,
    Timeout,
    Cancelled,
    Infra,
    Config,
    Lint,
    Test,
    Build,

    /// <summary>An agent used up a limit it was given: turns, budget or time. Not retried unless a rule names it.</summary>
    AgentLimit,

    /// <summary>An agent could not work: its model's API overloaded or failing, or the agent stalled. Retryable with back-off.</summary>
    AgentError,

    /// <summary>An agent was refused or refused to go on: authentication, bad configuration, a denied tool, a protected
    /// path touched. Never retried: a person must look.</summary>
    AgentPolicy,
}

/// <summary>The lower-case wire names of the status enums, as stored, printed and sent as JSON.</summary>
public static class StatusNames
{
    public static string ToWire(this RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToWire(this JobStatus status) => status switch
    {
        JobStatus.Waiting => "waiting",
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        JobStatus.Skipped => "skipped",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToWire(this FailureClass failureClass) => failureClass switch
    {
        FailureClass.Script => "script",
        FailureClass.Timeout => "timeout",
        FailureClass.Cancelled => "cancelled",
        FailureClass.Infra => "infra",
        FailureClass.Config => "config",
        FailureClass.Lint => "lint",
        FailureClass.Test => "test",
        FailureClass.Build => "build",
        FailureClass.AgentLimit => "agent-limit",
        FailureClass.AgentError => "agent-error",
        FailureClass.AgentPolicy => "agent-policy",
        _ => throw new ArgumentOutOfRangeException(nameof(failureClass)),
    };

    public static RunStatus ParseRunStatus(string value) =>
        Enum.TryParse<RunStatus>(value, ignoreCase: true, out var status)
            ? status
            : throw new FormatException($"'{value}' is not a run status");

    public static JobStatus ParseJobStatus(string value) =>
        Enum.TryParse<JobStatus>(value, ignoreCase: true, out var status)
            ? status
            : throw new FormatException($"'{value}' is not a job status");

    public static bool TryParseFailureClass(string value, out FailureClass failureClass)
    {
        foreach (var candidate in Enum.GetValues<FailureClass>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                failureClass = candidate;
                return true;
            }
        }

        failureClass = default;
        return false;
    }

    /// <summary>Whether the run has ended: succeeded, failed or cancelled (not running, not waiting for approval).</summary>
    public static bool HasEnded(this RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;

    public static bool IsTerminal(this JobStatus status) =>
        status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Skipped or JobStatus.Cancelled;
}
