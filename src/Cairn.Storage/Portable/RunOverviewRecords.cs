using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>The overview reads (<see cref="IRunOverview"/>) in SQL both dialects run as written.</summary>
internal sealed class RunOverviewRecords(IStatementRunner database)
{
    internal const string LatestRuns =
        $"SELECT {RecordRows.RunColumns} FROM runs WHERE id IN "
        + "(SELECT MAX(id) FROM runs WHERE repository IS NOT NULL GROUP BY repository, ref) ORDER BY repository, ref;";

    private const string StepsOfRun =
        $"SELECT {RecordRows.StepColumns} FROM steps WHERE job_id IN (SELECT id FROM jobs WHERE run_id = @run) ORDER BY job_id, idx;";

    public async Task<IReadOnlyList<RunRecord>> ListLatestRunsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(LatestRuns, _ => { }, RecordRows.ReadRun, cancellationToken);

    public async Task<IReadOnlyList<StepRecord>> GetStepsOfRunAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(StepsOfRun, c => c.Bind("@run", runId), RecordRows.ReadStep, cancellationToken);
}
