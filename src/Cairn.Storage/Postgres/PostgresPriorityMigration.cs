namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's job priorities and repository limits (migration 16).</summary>
internal static class PostgresPriorityMigration
{
    public static Migration Sixteen { get; } = new(16, "job priorities, and a repository's limit of running jobs", """
        -- 0 high, 1 normal, 2 low: a claim takes the queued job of the smallest number first, then the oldest (smallest id).
        ALTER TABLE jobs ADD COLUMN priority smallint NOT NULL DEFAULT 1;
        -- The claim walks only queued jobs, in the order it takes them, and stops at the first one that fits.
        CREATE INDEX jobs_queued_by_priority ON jobs (priority, id) WHERE status = 'queued';
        -- How many jobs of the repository may run at once; NULL: no limit.
        ALTER TABLE repositories ADD COLUMN max_running_jobs integer;
        """);
}
