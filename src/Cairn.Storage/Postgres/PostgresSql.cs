using Cairn.Storage.Portable;
using static Cairn.Storage.Portable.PortableSql;

namespace Cairn.Storage.Postgres;

/// <summary>Every statement the PostgreSQL store runs, in one place, so the dialect stays in view.</summary>
/// <remarks>Times are unix milliseconds (UTC) computed by the caller, never <c>now()</c>, so one clock rules every replica
/// and the tests. Statuses are their wire names. Column lists match <see cref="RecordRows"/>.</remarks>
internal static class PostgresSql
{
    /// <summary>The channel that says "jobs became queued"; its payload is "origin:count", the queueing store instance's id
    /// and how many jobs the notification covers.</summary>
    public const string JobsChannel = "cairn_jobs";

    /// <summary>The channel that says "runs or jobs changed status" (other than by queueing a job, which the jobs channel
    /// says); its payload is "origin:count" too.</summary>
    public const string ChangesChannel = "cairn_changes";

    /// <summary>The channel that says "a run was asked to cancel"; its payload is "origin:run id".</summary>
    public const string CancelsChannel = "cairn_cancels";

    /// <summary>The channel that says "lines were appended to a job's log"; its payload is "origin:job id".</summary>
    public const string LogsChannel = "cairn_logs";

    public const string Listen = $"LISTEN {JobsChannel}; LISTEN {ChangesChannel}; LISTEN {CancelsChannel}; LISTEN {LogsChannel};";

    public const string Notify = "SELECT pg_notify(@channel, @payload);";

    // One key for every replica of every version: whoever holds it migrates, the others wait and then find nothing to do.
    public const string LockMigrations = "SELECT pg_advisory_xact_lock(7305823941);";

    /// <summary>Takes the turn of the concurrency group <c>@key</c> until the transaction ends.</summary>
    public const string LockGroup = "SELECT pg_advisory_xact_lock(hashtextextended(@key, 7305823944));";

    public const string PrepareMigrations =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at bigint NOT NULL);";

    public const string SchemaVersion = "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations;";

    private const string RunColumns = RecordRows.RunColumns;

    private const string JobColumns = RecordRows.JobColumns;

    // SKIP LOCKED lets concurrent workers pass over each other's candidates instead of queueing behind them. The best
    // queued job (highest priority, the smallest number, then the smallest fair key, FairOrder) is leased at once when its repository has no
    // limit; when it has one, nothing is leased and the candidate's repository comes back (repository_key), to be claimed
    // under that repository's lock (LeaseJobOfRepository). Repositories found full that way are passed over (@excluded).
    public static readonly string LeaseNextJob = $"""
        WITH candidate AS (
            SELECT j.id AS candidate_id, limited.name_key AS repository_key, limited.max_running_jobs AS max_running,
                CASE WHEN j.retry_at > j.changed_at THEN j.retry_at ELSE j.changed_at END AS queued_at
            FROM jobs AS j
            JOIN runs AS r ON r.id = j.run_id
            LEFT JOIN repositories AS limited ON limited.name_key = lower(r.repository) AND limited.max_running_jobs IS NOT NULL
            WHERE j.status = 'queued'
              AND (j.retry_at IS NULL OR j.retry_at <= @now)
              AND j.labels <@ @labels
              AND (limited.name_key IS NULL OR NOT limited.name_key = ANY(@excluded))
              AND {RepositoryLimitSql.UnderLimit}
            ORDER BY j.priority, j.fair_key, j.id
            LIMIT 1
            FOR UPDATE OF j SKIP LOCKED),
        leased AS (
            UPDATE jobs
            SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
                attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL, changed_at = @now,
                pending_reason = NULL
            FROM candidate
            WHERE jobs.id = candidate.candidate_id AND candidate.max_running IS NULL AND jobs.status = 'queued'
            RETURNING {JobColumns})
        SELECT leased.*, candidate.repository_key, candidate.queued_at,
            (SELECT r.trace_parent FROM runs AS r WHERE r.id = leased.run_id) AS trace_parent
        FROM candidate LEFT JOIN leased ON leased.id = candidate.candidate_id;
        """;

    // A lease's end and its attempt's record in one statement, for a batch that claims the next job after it: the count
    // says whether the lease was still the job's (1) or not (0, and nothing is written).
    public const string CompleteLeaseKeepingAttempt = $"""
        WITH ended AS (
            UPDATE jobs
            SET status = @status, exit_code = @exit, failure_class = @class, failure_detail = @detail,
                started_at = @started, finished_at = @finished, changed_at = @finished,
                lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL, pending_reason = NULL
            WHERE id = @id AND lease_id = @lease AND status = 'running'
            RETURNING id),
        {KeepAttempt}
        """;

    public const string RequeueLeaseKeepingAttempt = $"""
        WITH ended AS (
            UPDATE jobs
            SET status = 'queued', retry_at = @retry, fair_key = @retry, exit_code = @exit, failure_class = @class, failure_detail = @detail,
                started_at = @started, finished_at = NULL, changed_at = @finished,
                lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL, pending_reason = NULL
            WHERE id = @id AND lease_id = @lease AND status = 'running'
            RETURNING id),
        {KeepAttempt}
        """;

    private const string KeepAttempt = """
        kept AS (
            INSERT INTO job_attempts (job_id, attempt, status, exit_code, failure_class, failure_detail, started_at, finished_at, worker, lease_id)
            SELECT ended.id, @attempt, @attempt_status, @exit, @class, @detail, @started, @finished, @worker, @lease FROM ended
            ON CONFLICT (job_id, attempt) DO NOTHING)
        SELECT count(*) FROM ended;
        """;

    /// <summary>Takes the turn of the repository <c>@key</c> (its lower-case name) to lease a job, until the transaction
    /// ends: a count of its running jobs read after this is not changed by another claim until the turn is given back.</summary>
    public const string LockRepository = "SELECT pg_advisory_xact_lock(hashtextextended(@key, 7305823945));";

    // Run holding LockRepository: the statement's snapshot is taken after the lock, so it counts every job leased under
    // it before; the limit is read again, as it stands now.
    public static readonly string LeaseJobOfRepository = $"""
        UPDATE jobs
        SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
            attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL, changed_at = @now,
            pending_reason = NULL
        WHERE status = 'queued' AND id = (
            SELECT j.id FROM jobs AS j JOIN runs AS r ON r.id = j.run_id
            WHERE j.status = 'queued'
              AND (j.retry_at IS NULL OR j.retry_at <= @now)
              AND j.labels <@ @labels
              AND lower(r.repository) = @key
              AND {RepositoryLimitSql.UnderLimit}
            ORDER BY j.priority, j.fair_key, j.id
            LIMIT 1
            FOR UPDATE OF j SKIP LOCKED)
        RETURNING {JobColumns}, (SELECT r.trace_parent FROM runs AS r WHERE r.id = jobs.run_id) AS trace_parent;
        """;

    // When the job LeaseJobOfRepository will pick was queued (or its back-off ended): read just before it, holding the
    // repository's turn. Should a claim elsewhere take that job in between, the ids differ and the time is not used.
    public static readonly string QueuedAtOfRepositoryJob = $"""
        SELECT j.id, CASE WHEN j.retry_at > j.changed_at THEN j.retry_at ELSE j.changed_at END FROM jobs AS j JOIN runs AS r ON r.id = j.run_id
        WHERE j.status = 'queued'
          AND (j.retry_at IS NULL OR j.retry_at <= @now)
          AND j.labels <@ @labels
          AND lower(r.repository) = @key
          AND {RepositoryLimitSql.UnderLimit}
        ORDER BY j.priority, j.fair_key, j.id
        LIMIT 1;
        """;

    // A whole batch of lines travels as five parallel arrays, and its blocks for the index of log text as three more: one
    // statement, one round trip. Its one notification goes out when it commits, never before the lines can be read.
    public const string InsertLogLines = $"""
        WITH inserted AS (
            INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text)
            SELECT @job, line.seq, line.step_idx, line.stream, line.ts, line.text
            FROM unnest(@seqs::bigint[], @steps::int[], @streams::text[], @stamps::bigint[], @texts::text[])
                AS line (seq, step_idx, stream, ts, text)),
        blocks AS (
            INSERT INTO log_blocks (job_id, first_seq, last_seq, text)
            SELECT @job, block.first_seq, block.last_seq, lower(block.text)
            FROM unnest(@firsts::bigint[], @lasts::bigint[], @blocks::text[]) AS block (first_seq, last_seq, text))
        SELECT pg_notify('{LogsChannel}', @payload);
        """;

    // LIKE with a pattern of three characters or more is answered on the blocks by the pg_trgm GIN index (migration 7).
    // A block's text is kept in lower case, so the pattern is lowered too: what ILIKE does to both sides, done once when
    // the block is written rather than at every search. The lines of the blocks found are then checked one by one with
    // ILIKE, so only a line holding the text counts.
    public static readonly LogSearchStatements LogSearch = new(
        MatchingJobs: """
            SELECT l.job_id AS job_id, min(l.seq) AS seq, count(*) AS hits
            FROM log_blocks AS b
            JOIN log_lines AS l ON l.job_id = b.job_id AND l.seq BETWEEN b.first_seq AND b.last_seq
            WHERE b.text LIKE lower(@match) AND l.text ILIKE @match
            GROUP BY l.job_id
            """,
        Match: LogSearchRecords.ContainsPattern);

    public const string LastLogSequence = "SELECT coalesce(max(seq), 0)::bigint FROM log_lines WHERE job_id = @job;";

    // The candidates are locked as they are picked and those another claimant holds are passed over, so two claimants
    // never get one row; ARRAY(...) has the search run once. The outer state check guards rows that moved meanwhile.
    public static readonly ClaimStatements Claims = new(
        ClaimEvents: $"""
            UPDATE event_journal SET claimed_by = @claimant, claim_expires_at = @until
            WHERE state = 'pending' AND id = ANY (ARRAY ({ServerSql.ClaimableEvents} FOR UPDATE SKIP LOCKED))
            RETURNING {ServerSql.JournalColumns};
            """,
        ClaimStatuses: $"""
            UPDATE status_outbox SET claimed_by = @claimant, claim_expires_at = @until
            WHERE state = 'pending' AND id = ANY (ARRAY ({ServerSql.ClaimableStatuses} FOR UPDATE OF o SKIP LOCKED))
            RETURNING {ServerSql.OutboxColumns};
            """);

    // Changes are read by position, which cairn_settle_run_changes gives to committed changes in order (see migration 3).
    public static readonly ChangeFeedStatements Changes = new(
        Settle: "SELECT cairn_settle_run_changes();",
        ReadAll: $"""
            SELECT position, {RecordRows.ChangeColumns} FROM run_changes
            WHERE position > @after ORDER BY position LIMIT @limit;
            """,
        ReadOfRun: $"""
            SELECT position, {RecordRows.ChangeColumns} FROM run_changes
            WHERE run_id = @run AND position > @after ORDER BY position LIMIT @limit;
            """,
        Latest: "SELECT coalesce(max(position), 0) FROM run_changes;");

    // Removers on several replicas take turns rather than meet on the same rows. Positions are given above the largest
    // there, so the newest settled change is kept. Settled and unsettled changes go in two statements, each on its index.
    public static readonly RetentionStatements Retention = new(
        Lock: "SELECT pg_advisory_xact_lock(7305823943);",
        LastOfBatch,
        DeleteChanges: $"""
            DELETE FROM run_changes WHERE run_id IN ({RunsOfBatch}) AND position < (SELECT max(position) FROM run_changes);
            DELETE FROM run_changes WHERE position IS NULL AND run_id IN ({RunsOfBatch});
            """);

    // The log's last sequence number is this dialect's own (above); every other statement is the portable text.
    public static readonly RecordStatements Records = PortableSql.Records(LastLogSequence);
}
