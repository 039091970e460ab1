namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's indexes of jobs by status hold only jobs that have not ended (migration 27).</summary>
internal static class SqliteActiveJobsMigration
{
    public static Migration TwentySeven { get; } = new(27, "jobs are indexed by status only while they have not ended", """
        -- Nothing looks jobs up by an ended status, yet both indexes held every job ever run, and each job's end inserted
        -- its entry wherever its id fell among the ended jobs': in the fair order, a different page for each job a
        -- transaction ends. Partial indexes hold the jobs not ended, as PostgreSQL's always have; queued jobs are in
        -- jobs_queued_fairly.
        DROP INDEX jobs_by_status;
        DROP INDEX jobs_by_status_lease;
        CREATE INDEX jobs_running_by_expiry ON jobs (lease_expires_at) WHERE status = 'running';
        CREATE INDEX jobs_waiting ON jobs (id) WHERE status = 'waiting';
        """);
}
