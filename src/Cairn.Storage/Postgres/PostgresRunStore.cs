using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Storage.Records;
using Npgsql;
using NpgsqlTypes;

namespace Cairn.Storage.Postgres;

/// <summary>Runs, jobs, steps, logs and the job queue in PostgreSQL, shared safely by the workers of many processes and replicas.</summary>
public sealed class PostgresRunStore : ICairnStore
{
    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly WorkSignal _signal;
    private readonly PostgresListener _listener;
    private readonly PostgresJobQueue _queue;
    private readonly PostgresNotifier _notifier;
    private readonly RunRecords _records;

    private PostgresRunStore(PostgresDatabase database, TimeProvider time, WorkSignal signal, PostgresListener listener, string origin, TimeSpan leaseDuration)
    {
        _database = database;
        _time = time;
        _signal = signal;
        _listener = listener;
        _notifier = new PostgresNotifier(database, origin);
        _queue = new PostgresJobQueue(database, signal, _notifier, time, leaseDuration);
        _records = new RunRecords(database, PostgresSql.Records, PostgresRows.Records, JobQueued);
    }

    /// <summary>Connects, brings the schema up to date (safely while other replicas do the same) and starts listening for queued jobs.</summary>
    /// <exception cref="StoreConfigurationException">The connection string is malformed or the server cannot be reached or refuses.</exception>
    /// <exception cref="StoreSchemaException">The database's schema is newer than this build understands.</exception>
    public static async Task<PostgresRunStore> OpenAsync(PostgresStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var connection = PostgresConnection.Parse(options.ConnectionString);
        var database = new PostgresDatabase(NpgsqlDataSource.Create(connection.Pooled()), connection.Location);
        var signal = new WorkSignal(time);
        try
        {
            await using (var session = await database.Source.OpenConnectionAsync(cancellationToken))
            {
                await PostgresSchema.MigrateAsync(session, connection.Location, PostgresMigrations.All, time, cancellationToken);
            }

            var origin = Guid.NewGuid().ToString("N");
            var listener = await PostgresListener.StartAsync(connection.Listening(), signal, origin, time, cancellationToken);
            return new PostgresRunStore(database, time, signal, listener, origin, options.LeaseDuration);
        }
        catch (Exception error) when (connection.Explain(error) is { } explained)
        {
            await database.DisposeAsync();
            signal.Dispose();
            throw explained;
        }
        catch
        {
            await database.DisposeAsync();
            signal.Dispose();
            throw;
        }
    }

    public async Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var trigger = plan.Trigger;
        await using var connection = await _database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var createdAt = RecordRows.Truncate(_time.GetUtcNow());
        var runId = await InsertRunAsync(connection, plan, createdAt, cancellationToken);
        if (runId is null)
        {
            // The key was used before: hand back that run and write nothing (the transaction rolls back unused).
            return await ReadRunByKeyAsync(connection, trigger.IdempotencyKey!, cancellationToken);
        }

        await InsertJobsAsync(connection, transaction, runId.Value, plan.Jobs, cancellationToken);
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

        await _database.ExecuteAsync(
            PostgresSql.InsertLogLines,
            command => command
                .Bind("@job", jobId)
                .Bind("@seqs", lines.Select(l => l.Sequence).ToArray())
                .Bind("@steps", lines.Select(l => l.StepIndex).ToArray())
                .Bind("@streams", lines.Select(l => RecordRows.StreamWire(l.Stream)).ToArray())
                .Bind("@stamps", lines.Select(l => RecordRows.ToMillis(l.Timestamp)).ToArray())
                .Bind("@texts", lines.Select(l => l.Text).ToArray()),
            cancellationToken);
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
    /// <remarks>Wakes on jobs queued through any store instance on the same database (LISTEN/NOTIFY).
    /// Throws <see cref="OperationCanceledException"/> on cancellation.</remarks>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForWorkAsync(maxWait, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _notifier.FlushAsync();
        await _listener.DisposeAsync();
        await _database.DisposeAsync();
        _signal.Dispose();
    }

    private void JobQueued()
    {
        _signal.Pulse();
        _notifier.JobQueued();
    }

    private static async Task<long?> InsertRunAsync(NpgsqlConnection connection, RunPlan plan, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var trigger = plan.Trigger;
        await using var command = new NpgsqlCommand(PortableSql.InsertRun, connection);
        command
            .Bind("@pipeline", plan.PipelineName)
            .Bind("@event", trigger.EventName)
            .Bind("@ref", trigger.Ref)
            .Bind("@sha", trigger.Sha)
            .Bind("@repository", trigger.Repository)
            .Bind("@status", RunStatus.Running.ToWire())
            .Bind("@created", RecordRows.ToMillis(createdAt))
            .Bind("@key", trigger.IdempotencyKey);
        command.Parameters.AddWithValue("@inputs", NpgsqlDbType.Jsonb, System.Text.Json.JsonSerializer.Serialize(trigger.Inputs));
        return (long?)await command.ExecuteScalarAsync(cancellationToken);
    }

    // All the jobs travel in one batch: one round trip however large the run.
    private static async Task InsertJobsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, IReadOnlyList<PlannedJob> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        for (var i = 0; i < jobs.Count; i++)
        {
            var insert = new NpgsqlBatchCommand(PortableSql.InsertJob);
            insert.Parameters.AddWithValue("@run", runId);
            insert.Parameters.AddWithValue("@ordinal", i);
            insert.Parameters.AddWithValue("@name", jobs[i].Name);
            insert.Parameters.AddWithValue("@key", jobs[i].Key);
            insert.Parameters.AddWithValue("@needs", jobs[i].Needs.ToArray());
            insert.Parameters.AddWithValue("@labels", jobs[i].Labels.ToArray());
            insert.Parameters.AddWithValue("@definition", jobs[i].Definition);
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<RunRecord> ReadRunByKeyAsync(NpgsqlConnection connection, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PortableSql.RunByIdempotencyKey, connection);
        command.Bind("@key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? RecordRows.ReadRun(reader)
            : throw new InvalidOperationException($"run with idempotency key '{key}' vanished while being read");
    }
}
