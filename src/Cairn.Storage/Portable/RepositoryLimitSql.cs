namespace Cairn.Storage.Portable;

/// <summary>The statements of a repository's limit of running jobs (<c>repositories.max_running_jobs</c>), alike for both
/// dialects. A run names its repository as written; the repository is found by its lower-case key, as everywhere else.</summary>
internal static class RepositoryLimitSql
{
    /// <summary>How many jobs of the repository whose key is <c>{key}</c> run now. Running jobs are few (one per worker
    /// slot), and jobs_running_by_expiry holds just them.</summary>
    public static string RunningOf(string key) => $"""
        (SELECT count(*) FROM jobs AS busy JOIN runs AS busy_run ON busy_run.id = busy.run_id
         WHERE busy.status = 'running' AND lower(busy_run.repository) = {key})
        """;

    /// <summary>True for a job (alias <c>j</c>) whose repository has no limit, or runs fewer jobs than it allows.</summary>
    public static readonly string UnderLimit = $"""
        NOT EXISTS (
            SELECT 1 FROM runs AS limited_run JOIN repositories AS limited ON limited.name_key = lower(limited_run.repository)
            WHERE limited_run.id = j.run_id AND limited.max_running_jobs IS NOT NULL
              AND limited.max_running_jobs <= {RunningOf("limited.name_key")})
        """;

    /// <summary>The running jobs of the repository <c>@key</c>.</summary>
    public static readonly string CountRunning = $"SELECT {RunningOf("@key")};";
}
