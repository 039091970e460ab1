using Cairn.Core.Planning;
using Cairn.Core.Runs;
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

    private PostgresRunStore(PostgresDatabase database, TimeProvider time, WorkSignal signal, PostgresListener listener, string origin, TimeSpan leaseDuration)
    {
        _database = database;
        _time = time;
        _signal = signal;
        _listener = listener;
        _notifier = new PostgresNotifier(database, origin);
        _queue = new PostgresJobQueue(database, signal, _notifier, time, leaseDuration);
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

        var createdAt = PostgresRows.Truncate(_time.GetUtcNow());
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

    public async Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        var runs = await _database.QueryAsync(PostgresSql.RunById, c => c.Bind("@id", runId), PostgresRows.ReadRun, cancellationToken);
        return runs.SingleOrDefault();
    }

    public async Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(PostgresSql.JobsOfRun, c => c.Bind("@run", runId), PostgresRows.ReadJob, cancellationToken);

    public async Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            PostgresSql.JobStatusesOfRun,
            c => c.Bind("@run", runId),
            row => (Id: row.GetInt64(0), Status: StatusNames.ParseJobStatus(row.GetString(1))),
            cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Status);
    }

    public async Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken)
    {
        var jobs = await _database.QueryAsync(PostgresSql.JobById, c => c.Bind("@id", jobId), PostgresRows.ReadJob, cancellationToken);
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

        var sql = to switch
        {
            _ when to.IsTerminal() => PostgresSql.EndJob,
            _ => PostgresSql.MoveJob,
        };
        var changed = await _database.ExecuteAsync(
            sql,
            command =>
            {
                command.Bind("@id", jobId).Bind("@from", from.ToWire()).Bind("@to", to.ToWire());
                if (to.IsTerminal())
                {
                    command
                        .Bind("@finished", to == JobStatus.Skipped ? null : PostgresRows.ToMillis(transition.At))
                        .Bind("@class", transition.FailureClass?.ToWire())
                        .Bind("@detail", transition.Detail);
                }
            },
            cancellationToken);

        if (changed == 1 && to == JobStatus.Queued)
        {
            _signal.Pulse();
            _notifier.JobQueued();
        }

        return changed == 1;
    }

    public async Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var changed = await _database.ExecuteAsync(
            PostgresSql.MoveRun,
            command => command
                .Bind("@id", runId)
                .Bind("@from", from.ToWire())
                .Bind("@to", to.ToWire())
                .Bind("@finished", to == RunStatus.Running ? null : PostgresRows.ToMillis(at)),
            cancellationToken);
        return changed == 1;
    }

    public async Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await _database.ExecuteAsync(
            PostgresSql.UpsertStep,
            command => command
                .Bind("@job", step.JobId)
                .Bind("@idx", step.Index)
                .Bind("@name", step.Name)
                .Bind("@status", PostgresRows.StepWire(step.Status))
                .Bind("@exit", step.ExitCode)
                .Bind("@started", PostgresRows.ToMillis(step.StartedAt))
                .Bind("@finished", PostgresRows.ToMillis(step.FinishedAt)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) =>
        await _database.QueryAsync(PostgresSql.StepsOfJob, c => c.Bind("@job", jobId), PostgresRows.ReadStep, cancellationToken);

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
                .Bind("@streams", lines.Select(l => PostgresRows.StreamWire(l.Stream)).ToArray())
                .Bind("@stamps", lines.Select(l => PostgresRows.ToMillis(l.Timestamp)).ToArray())
                .Bind("@texts", lines.Select(l => l.Text).ToArray()),
            cancellationToken);
    }

    public async Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            PostgresSql.ReadLog,
            command => command.Bind("@job", jobId).Bind("@after", afterSequence).Bind("@limit", limit),
            PostgresRows.ReadLogLine,
            cancellationToken);

    public async Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken)
    {
        var last = await _database.QueryAsync(PostgresSql.LastLogSequence, c => c.Bind("@job", jobId), r => r.GetInt64(0), cancellationToken);
        return last[0];
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

    private static async Task<long?> InsertRunAsync(NpgsqlConnection connection, RunPlan plan, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var trigger = plan.Trigger;
        await using var command = new NpgsqlCommand(PostgresSql.InsertRun, connection);
        command
            .Bind("@pipeline", plan.PipelineName)
            .Bind("@event", trigger.EventName)
            .Bind("@ref", trigger.Ref)
            .Bind("@sha", trigger.Sha)
            .Bind("@repository", trigger.Repository)
            .Bind("@status", RunStatus.Running.ToWire())
            .Bind("@created", PostgresRows.ToMillis(createdAt))
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
            var insert = new NpgsqlBatchCommand(PostgresSql.InsertJob);
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
        await using var command = new NpgsqlCommand(PostgresSql.RunByIdempotencyKey, connection);
        command.Bind("@key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? PostgresRows.ReadRun(reader)
            : throw new InvalidOperationException($"run with idempotency key '{key}' vanished while being read");
    }
}
