namespace Cairn.Core.Runs;

/// <summary>Reads that show many runs or a whole run at once, each answered by one query, for pages that must not ask
/// once per row.</summary>
public interface IRunOverview
{
    /// <summary>The newest run of every repository and ref (a branch or tag), by repository then ref; runs without a
    /// repository are left out.</summary>
    Task<IReadOnlyList<RunRecord>> ListLatestRunsAsync(CancellationToken cancellationToken);

    /// <summary>Every step of every job of the run, by job id then step index.</summary>
    Task<IReadOnlyList<StepRecord>> GetStepsOfRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Every attempt of every job of the run, by job id, newest attempt first. A job's running attempt is among
    /// them; a job that never started has none. A job last run before attempts were kept shows its one known attempt.</summary>
    Task<IReadOnlyList<JobAttemptRecord>> GetAttemptsOfRunAsync(long runId, CancellationToken cancellationToken);
}
