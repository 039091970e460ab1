using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Storage.Records;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Runs, jobs, steps, logs and the job queue in one SQLite file (WAL), shared safely by the workers of a process.</summary>
public sealed class SqliteRunStore : ICairnStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly WorkSignal _signal;
    private readonly SqliteJobQueue _queue;
    private readonly RunRecords _records;

    private SqliteRunStore(SqliteDatabase database, TimeProvider time, TimeSpan leaseDuration)
    {
        _database = database;
        _time = time;
        _signal = new WorkSignal(time);
        _queue = new SqliteJobQueue(database, _signal, time, leaseDuration);
        _records = new RunRecords(database, SqliteSql.Records, SqliteRows.Records, _signal.Pulse);
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

        var createdAt = RecordRows.Truncate(_time.GetUtcNow());
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

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetJobsAsync(runId, cancellationToken);

    public Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetJobStatusesAsync(runId, cancellationToken);

    public Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetJobAsync(jobId, cancellationToken);

    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="to"/> is running: only a lease moves a running job.</exception>
    public Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken) =>
        _records.TryTransitionJobAsync(jobId, from, to, transition, cancellationToken);

    public Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
        _records.TryTransitionRunAsync(runId, from, to, at, cancellationToken);

    public Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken) =>
        _records.SaveStepAsync(step, cancellationToken);

    public Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetStepsAsync(jobId, cancellationToken);

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
            stream.Value = RecordRows.StreamWire(line.Stream);
            timestamp.Value = RecordRows.ToMillis(line.Timestamp);
            text.Value = line.Text;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        _records.ReadLogAsync(jobId, afterSequence, limit, cancellationToken);

    public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetLastLogSequenceAsync(jobId, cancellationToken);

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
        var command = session.Command(PortableSql.InsertRun, transaction);
        command
            .Bind("@pipeline", plan.PipelineName)
            .Bind("@event", trigger.EventName)
            .Bind("@ref", trigger.Ref)
            .Bind("@sha", trigger.Sha)
            .Bind("@repository", trigger.Repository)
            .Bind("@status", RunStatus.Running.ToWire())
            .Bind("@created", RecordRows.ToMillis(createdAt))
            .Bind("@key", trigger.IdempotencyKey)
            .Bind("@inputs", SqliteRows.ToJson(trigger.Inputs));
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task InsertJobsAsync(
        SqliteSession session, SqliteTransaction transaction, long runId, IReadOnlyList<PlannedJob> jobs, CancellationToken cancellationToken)
    {
        var command = session.Command(PortableSql.InsertJob, transaction);
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
        var command = session.Command(PortableSql.RunByIdempotencyKey, transaction);
        command.Bind("@key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? RecordRows.ReadRun(reader)
            : throw new InvalidOperationException($"run with idempotency key '{key}' vanished while being read");
    }
}
