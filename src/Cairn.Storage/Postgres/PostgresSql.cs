using Cairn.Storage.Records;
using static Cairn.Storage.Records.PortableSql;

namespace Cairn.Storage.Postgres;

/// <summary>Every statement the PostgreSQL store runs, in one place, so the dialect stays in view.</summary>
/// <remarks>Times are unix milliseconds (UTC) computed by the caller, never <c>now()</c>, so one clock rules every replica
/// and the tests. Statuses are their wire names. Column lists match <see cref="RecordRows"/>.</remarks>
internal static class PostgresSql
{
    /// <summary>The channel that says "jobs became queued"; its payload is "origin:count", the queueing store instance's id
    /// and how many jobs the notification covers.</summary>
    public const string Channel = "cairn_jobs";

    public const string Listen = $"LISTEN {Channel};";

    public const string Notify = $"SELECT pg_notify('{Channel}', @payload);";

    // One key for every replica of every version: whoever holds it migrates, the others wait and then find nothing to do.
    public const string LockMigrations = "SELECT pg_advisory_xact_lock(7305823941);";

    public const string PrepareMigrations =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at bigint NOT NULL);";

    public const string SchemaVersion = "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations;";

    private const string RunColumns = RecordRows.RunColumns;

    private const string JobColumns = RecordRows.JobColumns;

    // SKIP LOCKED lets concurrent workers pass over each other's candidates instead of queueing behind them;
    // the outer status check guards the claim should the row have moved after it was picked.
    public const string LeaseNextJob = $"""
        UPDATE jobs
        SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
            attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL
        WHERE status = 'queued' AND id = (
            SELECT j.id FROM jobs AS j
            WHERE j.status = 'queued'
              AND (j.retry_at IS NULL OR j.retry_at <= @now)
              AND j.labels <@ @labels
            ORDER BY j.id
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING {JobColumns};
        """;

    // A whole batch of lines travels as five parallel arrays: one statement, one round trip.
    public const string InsertLogLines = """
        INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text)
        SELECT @job, line.seq, line.step_idx, line.stream, line.ts, line.text
        FROM unnest(@seqs::bigint[], @steps::int[], @streams::text[], @stamps::bigint[], @texts::text[])
            AS line (seq, step_idx, stream, ts, text);
        """;

    public const string LastLogSequence = "SELECT coalesce(max(seq), 0)::bigint FROM log_lines WHERE job_id = @job;";

    public static readonly RecordStatements Records = new(
        RunById, JobsOfRun, JobStatusesOfRun, JobById, MoveJob, EndJob, MoveRun, UpsertStep, StepsOfJob, ReadLog, LastLogSequence,
        ExpiredLeases, ExtendLease, CompleteLease, RequeueLease);
}
