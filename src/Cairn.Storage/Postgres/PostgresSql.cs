using Cairn.Storage.Records;

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

    public const string RecordMigration = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);";

    private const string RunColumns = RecordRows.RunColumns;

    private const string JobColumns = RecordRows.JobColumns;

    // A reused key conflicts and inserts nothing, so no row comes back; a NULL key never conflicts. A concurrent insert
    // of the same key waits for the first transaction, then conflicts once it commits.
    public const string InsertRun = """
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, idempotency_key, inputs)
        VALUES (@pipeline, @event, @ref, @sha, @repository, @status, @created, @key, @inputs)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id;
        """;

    public const string RunByIdempotencyKey = $"SELECT {RunColumns} FROM runs WHERE idempotency_key = @key;";

    public const string RunById = $"SELECT {RunColumns} FROM runs WHERE id = @id;";

    public const string InsertJob = """
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, definition)
        VALUES (@run, @ordinal, @name, @key, @needs, @labels, 'waiting', 0, @definition);
        """;

    public const string JobsOfRun = $"SELECT {JobColumns} FROM jobs WHERE run_id = @run ORDER BY ordinal;";

    public const string JobStatusesOfRun = "SELECT id, status FROM jobs WHERE run_id = @run;";

    public const string JobById = $"SELECT {JobColumns} FROM jobs WHERE id = @id;";

    public const string MoveJob = "UPDATE jobs SET status = @to WHERE id = @id AND status = @from;";

    public const string EndJob = """
        UPDATE jobs SET status = @to, finished_at = @finished, failure_class = @class, failure_detail = @detail
        WHERE id = @id AND status = @from;
        """;

    public const string MoveRun = """
        UPDATE runs SET status = @to, finished_at = @finished
        WHERE id = @id AND status = @from;
        """;

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

    public const string ExpiredLeases = $"""
        SELECT {JobColumns}, lease_id, lease_owner, lease_expires_at FROM jobs
        WHERE status = 'running' AND lease_expires_at < @now
        ORDER BY lease_expires_at
        LIMIT @limit;
        """;

    public const string ExtendLease = """
        UPDATE jobs SET lease_expires_at = @expires
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    public const string CompleteLease = """
        UPDATE jobs
        SET status = @status, exit_code = @exit, failure_class = @class, failure_detail = @detail,
            started_at = @started, finished_at = @finished,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    // The last attempt's exit code and failure stay visible while the job waits for its next attempt.
    public const string RequeueLease = """
        UPDATE jobs
        SET status = 'queued', retry_at = @retry, exit_code = @exit, failure_class = @class, failure_detail = @detail,
            started_at = @started, finished_at = NULL,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    public const string UpsertStep = """
        INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
        VALUES (@job, @idx, @name, @status, @exit, @started, @finished)
        ON CONFLICT (job_id, idx) DO UPDATE SET
            name = excluded.name, status = excluded.status, exit_code = excluded.exit_code,
            started_at = excluded.started_at, finished_at = excluded.finished_at;
        """;

    public const string StepsOfJob = $"SELECT {RecordRows.StepColumns} FROM steps WHERE job_id = @job ORDER BY idx;";

    // A whole batch of lines travels as five parallel arrays: one statement, one round trip.
    public const string InsertLogLines = """
        INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text)
        SELECT @job, line.seq, line.step_idx, line.stream, line.ts, line.text
        FROM unnest(@seqs::bigint[], @steps::int[], @streams::text[], @stamps::bigint[], @texts::text[])
            AS line (seq, step_idx, stream, ts, text);
        """;

    public const string ReadLog = $"""
        SELECT {RecordRows.LogLineColumns} FROM log_lines
        WHERE job_id = @job AND seq > @after
        ORDER BY seq
        LIMIT @limit;
        """;

    public const string LastLogSequence = "SELECT coalesce(max(seq), 0)::bigint FROM log_lines WHERE job_id = @job;";

    public static readonly RecordStatements Records = new(
        RunById, JobsOfRun, JobStatusesOfRun, JobById, MoveJob, EndJob, MoveRun, UpsertStep, StepsOfJob, ReadLog, LastLogSequence,
        ExpiredLeases, ExtendLease, CompleteLease, RequeueLease);
}
