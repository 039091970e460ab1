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

    // Sent before LeaseNextJob in the same implicit transaction (one batch), and undone when it ends: see there.
    public const string PlanClaimByIndex =
        "SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true), "
        + "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
        + "set_config('plan_cache_mode', 'force_generic_plan', true);";

    // SKIP LOCKED lets concurrent workers pass over each other's candidates instead of queueing behind them. The best
    // queued job (highest priority, the smallest number, then the smallest fair key, FairOrder, then the oldest) is leased
    // at once when its repository has no limit; when it has one, nothing is leased and the candidate's repository comes back (repository_key), to be claimed
    // under that repository's lock (LeaseJobOfRepository). Repositories found full that way are passed over (@excluded).
    //
    // The plan must walk jobs_queued_fairly from its start and stop at the first job it can lock, however many jobs
    // are queued and whatever the statistics say. A queue's statistics are always wrong: ANALYZE saw the table when few
    // or no jobs were queued, and a burst queues thousands in a second; believing a handful queued, the planner sorted
    // every queued job on each claim (a bitmap scan and a sort: a claim cost O(queued jobs)). So the claim is planned
    // with sorts and bitmap scans off (PlanClaimByIndex, for its transaction only), the pick reads only jobs, and the
    // repository limit is a scalar subquery: two key lookups for each row the walk reaches, never a join whose filtering
    // the planner takes for granted nor a hashed set of every run. The update seeks the picked row by its key in that
    // index (a queued job always has a fair key: migration 26 checks it). That plan does not depend on the parameters,
    // so a connection plans the claim once (plan_cache_mode, in PlanClaimByIndex): left to choose, PostgreSQL planned it
    // anew for each claim's values, 0.5-0.6 ms a claim where running it took 0.1-0.2.
    public static readonly string LeaseNextJob = $"""
        WITH picked AS (
            SELECT j.id, j.priority, j.fair_key, j.run_id,
                CASE WHEN j.retry_at > j.changed_at THEN j.retry_at ELSE j.changed_at END AS queued_at
            FROM jobs AS j
            WHERE j.status = 'queued'
              AND (j.retry_at IS NULL OR j.retry_at <= @now)
              AND j.labels <@ @labels
              AND NOT coalesce((
                  SELECT limited.name_key = ANY(@excluded) OR limited.max_running_jobs <= {RepositoryLimitSql.RunningOf("limited.name_key")}
                  FROM runs AS limited_run JOIN repositories AS limited ON limited.name_key = lower(limited_run.repository)
                  WHERE limited_run.id = j.run_id AND limited.max_running_jobs IS NOT NULL), false)
            ORDER BY j.priority, j.fair_key, j.id
            LIMIT 1
            FOR UPDATE OF j SKIP LOCKED),
        candidate AS (
            SELECT picked.id AS candidate_id, picked.priority, picked.fair_key, limited.name_key AS repository_key,
                limited.max_running_jobs AS max_running, picked.queued_at
            FROM picked
            JOIN runs AS r ON r.id = picked.run_id
            LEFT JOIN repositories AS limited ON limited.name_key = lower(r.repository) AND limited.max_running_jobs IS NOT NULL),
        leased AS (
            UPDATE jobs
            SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
                attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL, changed_at = @now,
                pending_reason = NULL
            WHERE jobs.status = 'queued'
              AND jobs.priority = (SELECT priority FROM candidate WHERE max_running IS NULL)
              AND jobs.fair_key = (SELECT fair_key FROM candidate WHERE max_running IS NULL)
              AND jobs.id = (SELECT candidate_id FROM candidate WHERE max_running IS NULL)
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

    // A job's log is kept in chunks of consecutive lines (migration 27, PostgresLogChunks). A whole batch travels as five
    // parallel arrays of its lines and three of its chunks (where each starts in the lines' arrays, how many lines it
    // holds, its first sequence number), cut into rows by the server: one statement, one plan, one round trip. Each chunk
    // is queued for the index of log text, written later (IndexWaitingChunks); the one notification goes out when the
    // statement commits, never before the lines can be read.
    public const string InsertLogChunks = $"""
        WITH chunks AS (
            INSERT INTO log_chunks (job_id, first_seq, last_seq, steps, streams, stamps, lines)
            SELECT @job, c.first_seq, c.first_seq + c.count - 1, (@steps::int[])[c.start:c.start + c.count - 1],
                   (@streams::text[])[c.start:c.start + c.count - 1], (@stamps::bigint[])[c.start:c.start + c.count - 1],
                   (@texts::text[])[c.start:c.start + c.count - 1]
            FROM unnest(@starts::int[], @counts::int[], @firsts::bigint[]) AS c (start, count, first_seq)
            RETURNING job_id, first_seq),
        queued AS (
            INSERT INTO log_unindexed_chunks (job_id, first_seq) SELECT job_id, first_seq FROM chunks)
        SELECT pg_notify('{LogsChannel}', @payload);
        """;

    // A chunk holds at most 64 lines, so the chunks holding lines after @after start after @after - 64: the key bounds
    // the walk, last_seq picks. Every chunk read holds a line after @after, so @limit chunks hold a page; of one step,
    // every chunk but the first holds only lines after @after, so @limit + 1 chunks holding the step's lines do.
    public const string LogChunksAfter = """
        SELECT first_seq, steps, streams, stamps, lines FROM log_chunks
        WHERE job_id = @job AND first_seq > @after - 64 AND last_seq > @after
        ORDER BY first_seq LIMIT @limit;
        """;

    public const string StepLogChunksAfter = """
        SELECT first_seq, steps, streams, stamps, lines FROM log_chunks
        WHERE job_id = @job AND first_seq > @after - 64 AND last_seq > @after AND @step = ANY (steps)
        ORDER BY first_seq LIMIT @limit + 1;
        """;

    // LIKE with a pattern of three characters or more is answered on the blocks by the pg_trgm GIN index (migration 7).
    // A block's text is kept in lower case, so the pattern is lowered too: what ILIKE does to both sides, done once when
    // the block is written rather than at every search. The lines of the blocks found are then checked one by one with
    // ILIKE (those of the chunks that overlap the block: at most 64 lines each, so they start after the block's first
    // seq - 64), so only a line holding the text counts. Blocks written since migration 27 are the chunks themselves;
    // older ones were cut at multiples of 64.
    public static readonly LogSearchStatements LogSearch = new(
        MatchingJobs: """
            SELECT c.job_id AS job_id, min(c.first_seq + l.n - 1) AS seq, count(*) AS hits
            FROM log_blocks AS b
            JOIN log_chunks AS c ON c.job_id = b.job_id AND c.first_seq > b.first_seq - 64 AND c.first_seq <= b.last_seq AND c.last_seq >= b.first_seq
            CROSS JOIN LATERAL unnest(c.lines) WITH ORDINALITY AS l (text, n)
            WHERE b.text LIKE lower(@match) AND c.first_seq + l.n - 1 BETWEEN b.first_seq AND b.last_seq AND l.text ILIKE @match
            GROUP BY c.job_id
            """,
        Match: LogSearchRecords.ContainsPattern)
    {
        LineText = """
            (SELECT c.lines[m.seq - c.first_seq + 1] FROM log_chunks AS c
             WHERE c.job_id = m.job_id AND c.first_seq > m.seq - 64 AND c.first_seq <= m.seq AND c.last_seq >= m.seq)
            """,
        IndexWaitingChunks = IndexWaitingChunks,
    };

    // The first @chunk / 64 chunks that wait become blocks of the index, in one statement: the queue's rows are taken as
    // the chunks are indexed. Their rows are locked as they are taken, so another instance indexing at the same time waits
    // for them and then passes over them (taken), never indexing a chunk twice, never leaving one it has not indexed.
    private const string IndexWaitingChunks = """
        WITH taken AS (
            DELETE FROM log_unindexed_chunks
            WHERE (job_id, first_seq) IN (
                SELECT job_id, first_seq FROM log_unindexed_chunks ORDER BY job_id, first_seq LIMIT @chunk / 64 FOR UPDATE)
            RETURNING job_id, first_seq),
        indexed AS (
            INSERT INTO log_blocks (job_id, first_seq, last_seq, text)
            SELECT c.job_id, c.first_seq, c.last_seq, lower(array_to_string(c.lines, E'\n'))
            FROM taken JOIN log_chunks AS c ON c.job_id = taken.job_id AND c.first_seq = taken.first_seq
            RETURNING last_seq - first_seq + 1 AS lines)
        SELECT (SELECT count(*) FROM taken), coalesce((SELECT sum(lines) FROM indexed), 0)::bigint;
        """;

    public const string LastLogSequence = """
        SELECT coalesce((SELECT last_seq FROM log_chunks WHERE job_id = @job ORDER BY first_seq DESC LIMIT 1), 0)::bigint;
        """;

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
            WHERE state = 'pending' AND id = ANY (ARRAY (
                SELECT o.id FROM status_outbox AS o
                WHERE o.id = ANY (ARRAY ({StatusHeads}))
                  AND o.state = 'pending' AND (o.claim_expires_at IS NULL OR o.claim_expires_at <= @now)
                ORDER BY o.id
                LIMIT @limit
                FOR UPDATE OF o SKIP LOCKED))
            RETURNING {ServerSql.OutboxColumns};
            """);

    // The oldest pending status of each commit, those due and held by nobody: what SQLite's claim finds with NOT EXISTS
    // (SqliteSql.Claims). Here with no join, because a join is planned from statistics, and a new outbox has none until
    // autovacuum analyzes it: believing it empty, the planner read every pending status again for each one. DISTINCT ON
    // reads the pending statuses once (through status_outbox_due), whatever the planner believes. FOR UPDATE cannot sit
    // beside DISTINCT ON, so the heads are locked one level up, oldest first, those another claimant holds passed over
    // until the limit is reached; a row claimed or sent since this statement's snapshot fails the state and claim checks
    // there.
    private const string StatusHeads = """
        SELECT head.id FROM (
            SELECT DISTINCT ON (p.repository, p.sha) p.id, p.next_attempt_at, p.claim_expires_at
            FROM status_outbox AS p
            WHERE p.state = 'pending'
            ORDER BY p.repository, p.sha, p.id) AS head
        WHERE head.next_attempt_at <= @now AND (head.claim_expires_at IS NULL OR head.claim_expires_at <= @now)
        """;

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
            """)
    {
        DeleteLog = $"""
            DELETE FROM log_unindexed_chunks WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));
            DELETE FROM log_chunks WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));
            """,
    };

    // The log's last sequence number is this dialect's own (above); every other statement is the portable text.
    public static readonly RecordStatements Records = PortableSql.Records(LastLogSequence);
}
