using Cairn.Core.Runs;

namespace Cairn.Core.Execution;

/// <summary>How an executor's run of one step ended, before <see cref="StepSequencer"/> says what that means.</summary>
public enum StepExitKind
{
    /// <summary>The step's script ended with an exit code.</summary>
    Exited,

    /// <summary>The step was stopped because its stop token fired (cancel, job or step timeout).</summary>
    Stopped,

    /// <summary>The step could not be started (no shell, no workspace, the engine refused): an <c>infra</c> failure that halts the job.</summary>
    NotStarted,

    /// <summary>The executor ended the step itself, for a reason beyond its script's exit code: the job halts.</summary>
    Failed,
}

/// <summary>What <see cref="IJobEnvironment.RunStepAsync"/> reports: an exit code, a stop, or why the step did not run to its end.</summary>
public sealed record StepExit
{
    private StepExit(StepExitKind kind, int? exitCode, FailureClass? failureClass, string? reason)
    {
        Kind = kind;
        ExitCode = exitCode;
        FailureClass = failureClass;
        Reason = reason;
    }

    public static StepExit Stopped { get; } = new(StepExitKind.Stopped, null, null, null);

    public StepExitKind Kind { get; }

    public int? ExitCode { get; }

    /// <summary>The class an executor gave a step it ended itself (<see cref="StepExitKind.Failed"/>).</summary>
    public FailureClass? FailureClass { get; }

    /// <summary>Why the step could not start or was ended, in a few words.</summary>
    public string? Reason { get; }

    public static StepExit Exited(int exitCode) => new(StepExitKind.Exited, exitCode, null, null);

    public static StepExit NotStarted(string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(problem);
        return new(StepExitKind.NotStarted, null, null, problem);
    }

    public static StepExit Failed(FailureClass failureClass, int? exitCode, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(StepExitKind.Failed, exitCode, failureClass, reason);
    }
}
