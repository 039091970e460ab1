namespace Cairn.Core.Execution;

/// <summary>What an executor provides for one job, and nothing more: make the job's environment (a session on this
/// host, a container, a pod), run one step in it, take it down. <see cref="StepSequencer"/> drives it and decides
/// everything else: which steps run, how each ended, and the job's verdict. An executor makes one per job and sends
/// what happens inside (output, pulls, notices) to the job's <see cref="IJobReporter"/> as log lines.</summary>
public interface IJobEnvironment
{
    /// <summary>Makes the job's environment before its first step, or says why it cannot be made. May throw
    /// <see cref="OperationCanceledException"/> when the job is cancelled or runs out of time meanwhile.</summary>
    Task<JobSetup> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Runs one step to its end and says how it ended. When <paramref name="stop"/> fires, the step and
    /// everything it started are stopped (its output kept) before this returns <see cref="StepExit.Stopped"/>.</summary>
    Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop);

    /// <summary>Removes whatever the job left (a home, containers, a pod). Called once whatever happened: after a
    /// cancel, a timeout, or a <see cref="PrepareAsync"/> that failed or threw. Not for the job's token to cut short.
    /// Returns what could not be removed, or null.</summary>
    Task<string?> TearDownAsync(CancellationToken cancellationToken);
}
