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

    // Kept attempts, then the jobs row's attempt where none was kept for it: one still running, or one ended before
    // attempts were kept (a queued job with an attempt behind it was retried after that attempt failed).
    private const string AttemptsOfRun = $"""
        SELECT {RecordRows.AttemptColumns} FROM job_attempts
        WHERE job_id IN (SELECT id FROM jobs WHERE run_id = @run)
        UNION ALL
        SELECT id, attempt,
            CASE WHEN status IN ('running', 'succeeded', 'failed', 'cancelled') THEN status ELSE 'failed' END,
            exit_code, failure_class, failure_detail, started_at, finished_at, lease_owner
        FROM jobs
        WHERE run_id = @run AND attempt > 0
          AND NOT EXISTS (SELECT 1 FROM job_attempts WHERE job_attempts.job_id = jobs.id AND job_attempts.attempt = jobs.attempt)
        ORDER BY job_id, attempt DESC;
        """;

    public async Task<IReadOnlyList<RunRecord>> ListLatestRunsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(LatestRuns, _ => { }, RecordRows.ReadRun, cancellationToken);

    public async Task<IReadOnlyList<StepRecord>> GetStepsOfRunAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(StepsOfRun, c => c.Bind("@run", runId), RecordRows.ReadStep, cancellationToken);

    public async Task<IReadOnlyList<JobAttemptRecord>> GetAttemptsOfRunAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(AttemptsOfRun, c => c.Bind("@run", runId), RecordRows.ReadAttempt, cancellationToken);
}
