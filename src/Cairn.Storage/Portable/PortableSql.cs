using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The statements SQLite (3.35 and later) and PostgreSQL accept as they are: written once, used by both
/// stores. What differs by dialect (the lease claim, migrations' bookkeeping, wake-ups, log batches) stays in
/// SqliteSql and PostgresSql.</summary>
internal static class PortableSql
{
    /// <summary>The statements of the run records, all portable but the one a dialect names: the last sequence number of
    /// a job's log.</summary>
    public static RecordStatements Records(string lastLogSequence) => new()
    {
        RunById = RunById,
        JobsOfRun = JobsOfRun,
        JobStatusesOfRun = JobStatusesOfRun,
        JobById = JobById,
        MoveJob = MoveJob,
        QueueJob = QueueJob,
        EndJob = EndJob,
        MoveRun = MoveRun,
        UpsertStep = UpsertStep,
        StepsOfJob = StepsOfJob,
        ReadLog = ReadLog,
        ReadStepLog = ReadStepLog,
        LastLogSequence = lastLogSequence,
        ExpiredLeases = ExpiredLeases,
        ExtendLease = ExtendLease,
        CompleteLease = CompleteLease,
        RequeueLease = RequeueLease,
    };

    public const string RecordMigration = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);";

    // A reused key conflicts and inserts nothing, so no row comes back; a NULL key never conflicts. A concurrent insert
    // of the same key waits for the first transaction, then conflicts once it commits.
    public const string InsertRun = """
        INSERT INTO runs (
            pipeline_name, event, ref, sha, repository, status, created_at, finished_at, idempotency_key, inputs,
            failure_class, errors, concurrency_group, rerun_of, trigger_json, changed_at, pending_reason, cancel_in_progress,
            waiting_behind, trace_parent)
        VALUES (
            @pipeline, @event, @ref, @sha, @repository, @status, @created, @finished, @key, @inputs,
            @class, @errors, @group, @rerun, @trigger, @created, @pending, @cancel_in_progress, @waiting_behind, @trace_parent)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id;
        """;

    // The counter's row is locked until the creating transaction ends, so concurrent creates in one repository take turns.
    public const string NextRunNumber = """
        INSERT INTO run_numbers (repository, last_number) VALUES (@repository, 1)
        ON CONFLICT (repository) DO UPDATE SET last_number = run_numbers.last_number + 1
        RETURNING last_number;
        """;

    public const string NumberRun = "UPDATE runs SET number = @number WHERE id = @id;";

    public const string RequestCancel = """
        UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, @at), cancel_reason = coalesce(cancel_reason, @reason)
        WHERE id = @id AND status IN ('running', 'waiting');
        """;

    public const string RequestCancelIf = """
        UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, @at), cancel_reason = coalesce(cancel_reason, @reason)
        WHERE id = @id AND status = @expected;
        """;

    public const string RunByIdempotencyKey = $"SELECT {RunColumns} FROM runs WHERE idempotency_key = @key;";

    public const string RunById = $"SELECT {RunColumns} FROM runs WHERE id = @id;";

    public const string RunStateById = "SELECT status, cancel_requested_at, cancel_reason FROM runs WHERE id = @id;";

    public const string InsertJob = """
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, definition, failure_detail, finished_at, reused_from, changed_at,
            priority, fair_key)
        VALUES (@run, @ordinal, @name, @key, @needs, @labels, @status, 0, @definition, @detail, @finished, @reused, @changed, @priority, @fair);
        """;

    public const string JobsOfRun = $"SELECT {JobColumns} FROM jobs WHERE run_id = @run ORDER BY ordinal;";

    public const string JobStatusesOfRun = "SELECT id, status FROM jobs WHERE run_id = @run;";

    public const string JobById = $"SELECT {JobColumns} FROM jobs WHERE id = @id;";

    /// <summary>Id and status of the jobs of run <c>@run</c> among <c>@job0</c>… (<paramref name="count"/> of them).</summary>
    public static string JobStatusesOf(int count) =>
        $"SELECT id, status FROM jobs WHERE run_id = @run AND id IN ({JobParameters(count)});";

    // One statement for every job a completion releases. As QueueJob, the cancel is checked in the statement itself.
    /// <summary>Queues those of the jobs of run <c>@run</c> among <c>@job0</c>… (<paramref name="count"/> of them) that still
    /// wait, unless the run's cancel was asked; returns the ids it queued. Each job's fair key counts its place among them
    /// from <c>@lowest</c>, the lowest id of them all (<see cref="FairOrder.KeyOfReleased"/>).</summary>
    public static string QueueJobs(int count) => $"""
        UPDATE jobs SET status = 'queued', changed_at = @at, fair_key = {FairOrder.KeyOfReleased}
        WHERE run_id = @run AND id IN ({JobParameters(count)}) AND status = 'waiting'
          AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = @run AND runs.cancel_requested_at IS NOT NULL)
        RETURNING id;
        """;

    /// <summary>Binds <c>@job0</c>… to <paramref name="ids"/>, as <see cref="JobStatusesOf"/> and <see cref="QueueJobs"/> name them.</summary>
    public static void BindJobIds(System.Data.Common.DbCommand command, IReadOnlyList<long> ids)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            command.Bind($"@job{i}", ids[i]);
        }
    }

    private static string JobParameters(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@job{i}"));

    public const string MoveJob = "UPDATE jobs SET status = @to, changed_at = @at, pending_reason = NULL WHERE id = @id AND status = @from;";

    // Checked in the same statement, so no coordinator, whatever it read before, queues a job once its run's cancel is asked.
    public static readonly string QueueJob = $"""
        UPDATE jobs SET status = 'queued', changed_at = @at, fair_key = {FairOrder.Standing}
        WHERE id = @id AND status = @from
          AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = jobs.run_id AND runs.cancel_requested_at IS NOT NULL);
        """;

    public const string EndJob = """
        UPDATE jobs SET status = @to, finished_at = @finished, failure_class = @class, failure_detail = @detail, changed_at = @at,
            pending_reason = NULL
        WHERE id = @id AND status = @from;
        """;

    // Nothing moves into waiting (a run is created so), so a run that moves has nothing left to wait for.
    public const string MoveRun = """
        UPDATE runs SET status = @to, finished_at = @finished, changed_at = @at, pending_reason = NULL
        WHERE id = @id AND status = @from;
        """;

    public const string ExpiredLeases = $"""
        SELECT {JobColumns}, lease_id, lease_owner, lease_expires_at FROM jobs
        WHERE status = 'running' AND lease_expires_at < @now
        ORDER BY lease_expires_at
        LIMIT @limit;
        """;

    // No row: the lease is gone. A row: held, and the run's cancel request time when there is one.
    public const string ExtendLease = """
        UPDATE jobs SET lease_expires_at = @expires
        WHERE id = @id AND lease_id = @lease AND status = 'running'
        RETURNING (SELECT runs.cancel_requested_at FROM runs WHERE runs.id = jobs.run_id);
        """;

    public const string CompleteLease = """
        UPDATE jobs
        SET status = @status, exit_code = @exit, failure_class = @class, failure_detail = @detail,
            started_at = @started, finished_at = @finished, changed_at = @finished,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL, pending_reason = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    // The last attempt's exit code and failure stay visible while the job waits for its next attempt; its place in the
    // queue is its retry time.
    public const string RequeueLease = """
        UPDATE jobs
        SET status = 'queued', retry_at = @retry, fair_key = @retry, exit_code = @exit, failure_class = @class, failure_detail = @detail,
            started_at = @started, finished_at = NULL, changed_at = @finished,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL, pending_reason = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    // Written in the transaction that ends the attempt; a second write of the same attempt changes nothing.
    public const string InsertAttempt = """
        INSERT INTO job_attempts (job_id, attempt, status, exit_code, failure_class, failure_detail, started_at, finished_at, worker, lease_id)
        VALUES (@id, @attempt, @status, @exit, @class, @detail, @started, @finished, @worker, @lease)
        ON CONFLICT (job_id, attempt) DO NOTHING;
        """;

    public const string UpsertStep = """
        INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
        VALUES (@job, @idx, @name, @status, @exit, @started, @finished)
        ON CONFLICT (job_id, idx) DO UPDATE SET
            name = excluded.name, status = excluded.status, exit_code = excluded.exit_code,
            started_at = excluded.started_at, finished_at = excluded.finished_at;
        """;

    public const string StepsOfJob = $"SELECT {RecordRows.StepColumns} FROM steps WHERE job_id = @job ORDER BY idx;";

    public const string ReadLog = $"""
        SELECT {RecordRows.LogLineColumns} FROM log_lines
        WHERE job_id = @job AND seq > @after
        ORDER BY seq
        LIMIT @limit;
        """;

    // The (job_id, seq) key walks the job's lines in order; a step's are a stretch of them, so the scan stops at the limit.
    public const string ReadStepLog = $"""
        SELECT {RecordRows.LogLineColumns} FROM log_lines
        WHERE job_id = @job AND seq > @after AND step_idx = @step
        ORDER BY seq
        LIMIT @limit;
        """;

    // Retention: a batch is the oldest runs that ended before @before, up to the id @last that LastOfBatch found. A run that
    // is running has no place in it, whenever it was created; nor has the newest run, since SQLite gives a new row the id
    // above the largest there, and a run's or job's id must never come back as another's.
    public const string RunsOfBatch = """
        SELECT runs.id FROM runs
        WHERE runs.status IN ('succeeded', 'failed', 'cancelled') AND runs.finished_at < @before AND runs.id <= @last
        """;

    public const string LastOfBatch = """
        SELECT max(batch.id) FROM (
            SELECT id FROM runs
            WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < @before
              AND id < (SELECT max(newest.id) FROM runs AS newest)
            ORDER BY id
            LIMIT @limit) AS batch;
        """;

    public const string QueueArtifactBlobsOfBatch = $"""
        INSERT INTO blob_deletions (blob, queued_at)
        SELECT blob, @queued FROM artifact_sets WHERE run_id IN ({RunsOfBatch})
        ON CONFLICT (blob) DO NOTHING;
        """;

    public const string DeleteArtifactsOfBatch = $"""
        DELETE FROM artifact_files WHERE set_id IN (SELECT artifact_sets.id FROM artifact_sets WHERE artifact_sets.run_id IN ({RunsOfBatch}));
        DELETE FROM artifact_sets WHERE run_id IN ({RunsOfBatch});
        """;

    public const string DeleteLogLinesOfBatch = $"""
        DELETE FROM log_lines WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));
        """;

    public const string DeleteStepsOfBatch = $"""
        DELETE FROM steps WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));
        """;

    public const string DeleteAttemptsOfBatch = $"""
        DELETE FROM job_attempts WHERE job_id IN (SELECT jobs.id FROM jobs WHERE jobs.run_id IN ({RunsOfBatch}));
        """;

    public const string DeleteJobsOfBatch = $"DELETE FROM jobs WHERE run_id IN ({RunsOfBatch});";

    public const string DeleteRunsOfBatch = $"DELETE FROM runs WHERE id IN ({RunsOfBatch});";
}
