namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's partial indexes of jobs by status: waiting jobs gain one, the index of queued jobs by id
/// goes (migration 28).</summary>
internal static class PostgresActiveJobsMigration
{
    public static Migration TwentyEight { get; } = new(28, "waiting jobs are indexed; queued jobs only in the claim's order", """
        -- The claim reads queued jobs through jobs_queued_fairly; nothing reads jobs_queued, which every queueing and
        -- claim still kept up to date.
        DROP INDEX jobs_queued;
        -- The metrics count waiting jobs, which are few beside the jobs that have ended.
        CREATE INDEX jobs_waiting ON jobs (id) WHERE status = 'waiting';
        """);
}
