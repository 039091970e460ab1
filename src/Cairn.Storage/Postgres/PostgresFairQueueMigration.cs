namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's fair order of queued jobs (migration 26).</summary>
internal static class PostgresFairQueueMigration
{
    public static Migration TwentySix { get; } = new(26, "queued jobs are claimed by priority, then by a fair key, then by id", """
        -- Where the job stands in the queue within its priority (FairOrder): when it was queued plus its place among the
        -- jobs its run queued then, times a slice; a retry's is when its back-off ends. Set whenever a job becomes queued.
        ALTER TABLE jobs ADD COLUMN fair_key bigint;
        -- The jobs queued before this change stand where they were queued (or where their back-off ends).
        -- A row from before changed_at existed has none: it stands first.
        UPDATE jobs SET fair_key = coalesce(CASE WHEN retry_at > changed_at THEN retry_at ELSE changed_at END, retry_at, 0) WHERE status = 'queued';
        -- The claim walks only queued jobs, in the order it takes them, and stops at the first one that fits.
        DROP INDEX jobs_queued_by_priority;
        CREATE INDEX jobs_queued_fairly ON jobs (priority, fair_key, id) WHERE status = 'queued';
        -- The claim seeks the job it picked by (priority, fair_key, id): a queued job without a key could never be leased.
        ALTER TABLE jobs ADD CONSTRAINT jobs_queued_have_a_fair_key CHECK (status <> 'queued' OR fair_key IS NOT NULL);
        """);
}
