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
}
