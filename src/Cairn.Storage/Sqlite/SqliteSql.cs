using Cairn.Storage.Portable;
using static Cairn.Storage.Portable.PortableSql;

namespace Cairn.Storage.Sqlite;

/// <summary>Every statement the SQLite store runs, in one place, so the dialect stays in view.</summary>
/// <remarks>Times are unix milliseconds (UTC); statuses are their wire names. Column lists match <see cref="RecordRows"/>.</remarks>
internal static class SqliteSql
{
    // A writer checkpoints by itself only far past SQLite's default of 1,000 pages (SqliteCheckpoints.WriterFallbackPages):
    // SqliteCheckpoints does it off the writers' path.
    public const string ConnectionPragmas =
        "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 65536;";

    public const string PrepareMigrations = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
        """;

    public const string SchemaVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations;";

    private const string RunColumns = RecordRows.RunColumns;

    private const string JobColumns = RecordRows.JobColumns;

    // The worker's labels arrive as one JSON array; a job qualifies when none of its labels is missing from it, and when
    // its repository runs fewer jobs than its limit (counted under the write lock the claim holds, so never two at once).
    private static readonly string Leasable = $"""
        j.status = 'queued'
        AND (j.retry_at IS NULL OR j.retry_at <= @now)
        AND NOT EXISTS (
            SELECT 1 FROM json_each(j.labels) AS wanted
            WHERE wanted.value NOT IN (SELECT offered.value FROM json_each(@labels) AS offered))
        AND {RepositoryLimitSql.UnderLimit}
        """;

    // Highest priority first (the smallest number), then the smallest fair key (FairOrder), then the oldest;
    // jobs_queued_fairly holds them in that order. Named, since without statistics SQLite would rather read every queued
    // job by status and sort them, testing each one's labels and repository first, where the walk in order stops at the
    // first job that fits.
    private const string QueuedJobs = "jobs AS j INDEXED BY jobs_queued_fairly";

    // Of each commit only its oldest pending status, and only once it is due and nobody holds it, oldest first: the pending
    // statuses walked in id order (status_outbox_due), each one's commit sought in status_outbox_pending. The index is
    // named because SQLite keeps no statistics unless asked (Cairn never runs ANALYZE), and without them it preferred the
    // table's own order, past every status ever delivered.
    private const string ClaimableStatuses = """
        SELECT o.id FROM status_outbox AS o INDEXED BY status_outbox_due
        WHERE o.state = 'pending' AND o.next_attempt_at <= @now AND (o.claim_expires_at IS NULL OR o.claim_expires_at <= @now)
          AND NOT EXISTS (
              SELECT 1 FROM status_outbox AS earlier
              WHERE earlier.repository = o.repository AND earlier.sha = o.sha AND earlier.state = 'pending' AND earlier.id < o.id)
        ORDER BY o.id
        LIMIT @limit
        """;

    // The job a claim takes, and when it was queued (or its back-off ended): read under the write lock the claim holds from
    // here to its commit, so nobody, in this process or another, can take or change it before LeaseQueuedJob does.
    public static readonly string NextJob = $"""
        SELECT j.id, CASE WHEN j.retry_at > j.changed_at THEN j.retry_at ELSE j.changed_at END FROM {QueuedJobs} WHERE {Leasable} ORDER BY j.priority, j.fair_key, j.id LIMIT 1;
        """;

    // The claim of the job NextJob found, by its id: the search runs once. The run's trace context comes back with the job.
    public const string LeaseQueuedJob = $"""
        UPDATE jobs
        SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
            attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL, changed_at = @now,
            pending_reason = NULL
        WHERE id = @id AND status = 'queued'
        RETURNING {JobColumns}, (SELECT runs.trace_parent FROM runs WHERE runs.id = jobs.run_id);
        """;

    // Read without the write lock (WAL lets readers beside the writer): a worker that finds nothing never queues for it.
    public static readonly string AnyLeasableJob = $"SELECT EXISTS (SELECT 1 FROM {QueuedJobs} WHERE {Leasable});";

    // A job's log is kept in chunks of consecutive lines (migration 24, SqliteLogChunks). A chunk holds at most 64 lines,
    // so the chunks holding lines after @after start after @after - 64: the key bounds the walk, last_seq picks.
    // The chunk's JSON is bound as UTF-8 text from the encoder's buffer (SqliteChunkInsert).
    public const string InsertLogChunk = """
        INSERT INTO log_chunks (job_id, first_seq, last_seq, lines) VALUES (@job, @first, @last, @lines);
        """;

    public const string LogChunksAfter = """
        SELECT first_seq, lines FROM log_chunks
        WHERE job_id = @job AND first_seq > @after - 64 AND last_seq > @after
        ORDER BY first_seq;
        """;

    public const string LastLogSequence = """
        SELECT coalesce((SELECT last_seq FROM log_chunks WHERE job_id = @job ORDER BY first_seq DESC LIMIT 1), 0);
        """;

    // Claims run inside BEGIN IMMEDIATE: the write lock is held from the search to the commit, so no other claimant,
    // in this process or another, can pick the same rows.
    public static readonly ClaimStatements Claims = new(
        ClaimEvents: $"""
            UPDATE event_journal SET claimed_by = @claimant, claim_expires_at = @until
            WHERE id IN ({ServerSql.ClaimableEvents})
            RETURNING {ServerSql.JournalColumns};
            """,
        ClaimStatuses: $"""
            UPDATE status_outbox SET claimed_by = @claimant, claim_expires_at = @until
            WHERE id IN ({ClaimableStatuses})
            RETURNING {ServerSql.OutboxColumns};
            """);

    // One writer at a time: changes commit in id order, so the id is the feed's position.
    public static readonly ChangeFeedStatements Changes = new(
        Settle: null,
        ReadAll: $"SELECT id, {RecordRows.ChangeColumns} FROM run_changes WHERE id > @after ORDER BY id LIMIT @limit;",
        ReadOfRun: $"SELECT id, {RecordRows.ChangeColumns} FROM run_changes WHERE run_id = @run AND id > @after ORDER BY id LIMIT @limit;",
        Latest: "SELECT coalesce(max(id), 0) FROM run_changes;");

    // One writer at a time, so no lock; the newest change is kept because a new row's id is one above the largest there.
    public static readonly RetentionStatements Retention = new(
        Lock: null,
        LastOfBatch,
        DeleteChanges: $"DELETE FROM run_changes WHERE run_id IN ({RunsOfBatch}) AND id < (SELECT max(id) FROM run_changes);")
    {
        DeleteLog = $"DELETE FROM log_chunks WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));",
    };

    // The trigram index (log_text, migration 7) holds blocks of a job's consecutive lines; a block is the row
    // job_id * 2^32 + first seq, and log_blocks gives its last seq. The index keeps no positions, so it finds blocks holding
    // every piece of the text; the lines of those blocks are then checked one by one (json_each over the chunks that
    // overlap the block: at most 64 lines each, so they start after the block's first seq - 64), so only a line holding
    // the text counts, never text running across two lines. New chunks wait in log_unindexed_chunks; a part of them is
    // read, indexed block by block (blocks run across chunks) and forgotten in one transaction, the same first
    // @chunk / 64 chunks each time.
    public static readonly LogSearchStatements LogSearch = new(
        MatchingJobs: """
            SELECT c.job_id AS job_id, min(c.first_seq + l.key) AS seq, count(*) AS hits
            FROM log_text
            JOIN log_blocks AS b ON b.job_id = (log_text.rowid >> 32) AND b.first_seq = (log_text.rowid & 4294967295)
            JOIN log_chunks AS c ON c.job_id = b.job_id AND c.first_seq > b.first_seq - 64 AND c.first_seq <= b.last_seq AND c.last_seq >= b.first_seq
            JOIN json_each(c.lines) AS l
            WHERE log_text MATCH @match AND c.first_seq + l.key BETWEEN b.first_seq AND b.last_seq
              AND instr(lower(l.value ->> 3), lower(@text)) > 0
            GROUP BY c.job_id
            """,
        Match: LogSearchRecords.TrigramMatch)
    {
        LineText = """
            (SELECT l.value ->> 3 FROM log_chunks AS c, json_each(c.lines) AS l
             WHERE c.job_id = m.job_id AND c.first_seq > m.seq - 64 AND c.first_seq <= m.seq AND c.first_seq + l.key = m.seq)
            """,
        WaitingChunk = """
            SELECT c.job_id, c.first_seq + l.key, l.value ->> 3
            FROM (SELECT job_id, first_seq FROM log_unindexed_chunks ORDER BY job_id, first_seq LIMIT @chunk / 64) AS u
            JOIN log_chunks AS c ON c.job_id = u.job_id AND c.first_seq = u.first_seq
            JOIN json_each(c.lines) AS l
            ORDER BY c.job_id, c.first_seq, l.key;
            """,
        IndexBlock = """
            INSERT INTO log_blocks (job_id, first_seq, last_seq) VALUES (@job, @first, @last);
            INSERT INTO log_text (rowid, text) VALUES ((@job << 32) + @first, @text);
            """,
        ForgetChunk = """
            DELETE FROM log_unindexed_chunks
            WHERE (job_id, first_seq) IN (SELECT job_id, first_seq FROM log_unindexed_chunks ORDER BY job_id, first_seq LIMIT @chunk / 64);
            """,
    };

    // The log's last sequence number is this dialect's own (above); every other statement is the portable text.
    public static readonly RecordStatements Records = PortableSql.Records(LastLogSequence);
}
