using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Execution;

/// <summary>Runs a job's steps somewhere (a shell, a container, a pod) and says how it ended.
/// Cancellation stops the job's whole process tree, container or pod before returning.</summary>
public interface IExecutor
{
    string Name { get; }

    /// <summary>Runs the job. Never throws for anything the job itself does: a failing step, a timeout and a cancel are outcomes.</summary>
    Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken);
}

/// <summary>How one step ended.</summary>
public sealed record StepOutcome(
    StepStatus Status,
    int? ExitCode,
    FailureClass? FailureClass,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Detail = null);

/// <summary>How a job ended on its executor: succeeded, failed (with a class) or cancelled.</summary>
public sealed record JobOutcome(
    JobStatus Status,
    int? ExitCode,
    FailureClass? FailureClass,
    string? Detail,
    IReadOnlyList<StepOutcome> Steps)
{
    public static JobOutcome Failed(FailureClass failureClass, string detail) =>
        new(JobStatus.Failed, null, failureClass, detail, []);
}
