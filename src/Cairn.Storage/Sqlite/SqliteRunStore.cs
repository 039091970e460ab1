using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Runs, jobs, steps, logs and the job queue in one SQLite file (WAL), shared safely by the workers of a process.</summary>
public sealed class SqliteRunStore : ICairnStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly WorkSignal _signal;
    private readonly SqliteJobQueue _queue;

    private SqliteRunStore(SqliteDatabase database, TimeProvider time, TimeSpan leaseDuration)
    {
        _database = database;
        _time = time;
        _signal = new WorkSignal(time);
        _queue = new SqliteJobQueue(database, _signal, time, leaseDuration);
    }

    /// <summary>Opens (creating when missing) the database file and brings its schema up to date.</summary>
    /// <exception cref="StoreSchemaException">The file's schema is newer than this build understands.</exception>
    public static async Task<SqliteRunStore> OpenAsync(SqliteStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        SQLitePCL.Batteries_V2.Init();

        var database = new SqliteDatabase(options.Path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(database.Location)!);
            await using (var session = await database.OpenAsync(cancellationToken))
            {
                await SqliteSchema.MigrateAsync(session.Connection, database.Location, SqliteMigrations.All, time, cancellationToken);
            }

            return new SqliteRunStore(database, time, options.LeaseDuration);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public async Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var trigger = plan.Trigger;
        await using var session = await _database.OpenAsync(cancellationToken);
        using var turn = await _database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = session.BeginImmediate();

        var createdAt = SqliteRows.Truncate(_time.GetUtcNow());
        var runId = await InsertRunAsync(session, transaction, plan, createdAt, cancellationToken);
        if (runId is null)
        {
            // The key was used before: hand back that run and write nothing (the transaction rolls back unused).
            return await ReadRunByKeyAsync(session, transaction, trigger.IdempotencyKey!, cancellationToken);
        }

        await InsertJobsAsync(session, transaction, runId.Value, plan.Jobs, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RunRecord(
            runId.Value, plan.PipelineName, trigger.EventName, trigger.Ref, trigger.Sha, trigger.Repository,
            RunStatus.Running, createdAt, FinishedAt: null, trigger.IdempotencyKey);
    }

    public async Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        var runs = await _database.QueryAsync(SqliteSql.RunById, c => c.Bind("@id", runId), SqliteRows.ReadRun, cancellationToken);
        return runs.SingleOrDefault();
    }

    public async Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(SqliteSql.JobsOfRun, c => c.Bind("@run", runId), SqliteRows.ReadJob, cancellationToken);

    public async Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            SqliteSql.JobStatusesOfRun,
            c => c.Bind("@run", runId),
            row => (Id: row.GetInt64(0), Status: StatusNames.ParseJobStatus(row.GetString(1))),
            cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Status);
    }

    public async Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken)
    {
        var jobs = await _database.QueryAsync(SqliteSql.JobById, c => c.Bind("@id", jobId), SqliteRows.ReadJob, cancellationToken);
        return jobs.SingleOrDefault();
    }

    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="to"/> is running: only a lease moves a running job.</exception>
    public async Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (from == JobStatus.Running || to == JobStatus.Running)
        {
            throw new ArgumentException(
                "a job moves into or out of running only through its lease (TryLeaseAsync, CompleteAsync)",
                from == JobStatus.Running ? nameof(from) : nameof(to));
        }

        var terminal = to.IsTerminal();
        var changed = await _database.ExecuteWriteAsync(
            terminal ? SqliteSql.EndJob : SqliteSql.MoveJob,
            command => command
                .Bind("@id", jobId)
                .Bind("@from", from.ToWire())
                .Bind("@to", to.ToWire())
                .Bind("@finished", to == JobStatus.Skipped ? null : SqliteRows.ToMillis(transition.At))
                .Bind("@class", transition.FailureClass?.ToWire())
                .Bind("@detail", transition.Detail),
            cancellationToken);

        if (changed == 1 && to == JobStatus.Queued)
        {
            _signal.Pulse();
        }

        return changed == 1;
    }

    public async Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var changed = await _database.ExecuteWriteAsync(
            SqliteSql.MoveRun,
            command => command
                .Bind("@id", runId)
                .Bind("@from", from.ToWire())
                .Bind("@to", to.ToWire())
                .Bind("@finished", to == RunStatus.Running ? null : SqliteRows.ToMillis(at)),
            cancellationToken);
        return changed == 1;
    }

    public async Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await _database.ExecuteWriteAsync(
            SqliteSql.UpsertStep,
            command => command
                .Bind("@job", step.JobId)
                .Bind("@idx", step.Index)
                .Bind("@name", step.Name)
                .Bind("@status", step.Status.ToWire())
                .Bind("@exit", step.ExitCode)
                .Bind("@started", SqliteRows.ToMillisOrNull(step.StartedAt))
                .Bind("@finished", SqliteRows.ToMillisOrNull(step.FinishedAt)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(SqliteSql.StepsOfJob, c => c.Bind("@job", jobId), SqliteRows.ReadStep, cancellationToken);

    public async Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            return;
        }

        await using var session = await _database.OpenAsync(cancellationToken);
        using var turn = await _database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = session.BeginImmediate();
        var command = session.Command(SqliteSql.InsertLogLine, transaction);
        command.Bind("@job", jobId);
        var sequence = command.Parameters.Add("@seq", SqliteType.Integer);
        var step = command.Parameters.Add("@step", SqliteType.Integer);
        var stream = command.Parameters.Add("@stream", SqliteType.Text);
        var timestamp = command.Parameters.Add("@ts", SqliteType.Integer);
        var text = command.Parameters.Add("@text", SqliteType.Text);

        foreach (var line in lines)
        {
            sequence.Value = line.Sequence;
            step.Value = line.StepIndex;
            stream.Value = line.Stream.ToWire();
            timestamp.Value = SqliteRows.ToMillis(line.Timestamp);
            text.Value = line.Text;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            SqliteSql.ReadLog,
            command => command.Bind("@job", jobId).Bind("@after", afterSequence).Bind("@limit", limit),
            SqliteRows.ReadLogLine,
            cancellationToken);

    public async Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken)
    {
        var last = await _database.QueryAsync(
            SqliteSql.LastLogSequence,
            command => command.Bind("@job", jobId),
            reader => reader.GetInt64(0),
            cancellationToken);
        return last.Count == 0 ? 0 : last[0];
    }

    public Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _queue.TryLeaseAsync(workerId, labels, cancellationToken);

    public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        _queue.FindExpiredLeasesAsync(limit, cancellationToken);

    public Task<bool> ExtendAsync(JobLease lease, CancellationToken cancellationToken) =>
        _queue.ExtendAsync(lease, cancellationToken);

    public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken) =>
        _queue.CompleteAsync(lease, completion, cancellationToken);

    /// <inheritdoc cref="IJobQueue.WaitForWorkAsync"/>
    /// <remarks>Wakes on jobs queued through this instance only. Throws <see cref="OperationCanceledException"/> on cancellation.</remarks>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForWorkAsync(maxWait, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _signal.Dispose();
        _database.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<long?> InsertRunAsync(
        SqliteSession session, SqliteTransaction transaction, RunPlan plan, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var trigger = plan.Trigger;
        var command = session.Command(SqliteSql.InsertRun, transaction);
        command
            .Bind("@pipeline", plan.PipelineName)
            .Bind("@event", trigger.EventName)
            .Bind("@ref", trigger.Ref)
            .Bind("@sha", trigger.Sha)
            .Bind("@repository", trigger.Repository)
            .Bind("@status", RunStatus.Running.ToWire())
            .Bind("@created", SqliteRows.ToMillis(createdAt))
            .Bind("@key", trigger.IdempotencyKey)
            .Bind("@inputs", SqliteRows.ToJson(trigger.Inputs));
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task InsertJobsAsync(
        SqliteSession session, SqliteTransaction transaction, long runId, IReadOnlyList<PlannedJob> jobs, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteSql.InsertJob, transaction);
        command.Bind("@run", runId);
        var ordinal = command.Parameters.Add("@ordinal", SqliteType.Integer);
        var name = command.Parameters.Add("@name", SqliteType.Text);
        var key = command.Parameters.Add("@key", SqliteType.Text);
        var needs = command.Parameters.Add("@needs", SqliteType.Text);
        var labels = command.Parameters.Add("@labels", SqliteType.Text);
        var definition = command.Parameters.Add("@definition", SqliteType.Text);
        for (var i = 0; i < jobs.Count; i++)
        {
            ordinal.Value = i;
            name.Value = jobs[i].Name;
            key.Value = jobs[i].Key;
            needs.Value = SqliteRows.ToJson(jobs[i].Needs);
            labels.Value = SqliteRows.ToJson(jobs[i].Labels);
            definition.Value = jobs[i].Definition;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<RunRecord> ReadRunByKeyAsync(
        SqliteSession session, SqliteTransaction transaction, string key, CancellationToken cancellationToken)
    {
        var command = session.Command(SqliteSql.RunByIdempotencyKey, transaction);
        command.Bind("@key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? SqliteRows.ReadRun(reader)
            : throw new InvalidOperationException($"run with idempotency key '{key}' vanished while being read");
    }
}
