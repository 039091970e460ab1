namespace Cairn.Core.Engine;

/// <summary>What a worker asks once it has written a job's outcome: move the run on (queue or skip the jobs that
/// needed it, end the run). <see cref="RunCoordinator"/> does it on the store; a worker that reaches the server over
/// HTTP leaves it to the server, which advances the run in the call that completes the lease.</summary>
public interface IRunAdvancer
{
    Task AdvanceAsync(long runId, CancellationToken cancellationToken);

    /// <summary>As <see cref="AdvanceAsync(long, CancellationToken)"/>, told which job's outcome was just written (it may have
    /// ended, or be queued again for a retry), so that only what needed it is looked at.</summary>
    Task AdvanceAsync(long runId, long completedJobId, CancellationToken cancellationToken) => AdvanceAsync(runId, cancellationToken);
}
