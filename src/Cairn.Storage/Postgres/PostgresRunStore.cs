using System.Data.Common;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Storage.Records;
using Cairn.Storage.Signals;
using Npgsql;
using NpgsqlTypes;

namespace Cairn.Storage.Postgres;

/// <summary>Runs, jobs, steps, logs, the job queue and the server's tables in PostgreSQL, shared safely by the workers of
/// many processes and replicas.</summary>
public sealed partial class PostgresRunStore : ICairnStore
{
    private readonly PostgresDatabase _database;
    private readonly StoreSignals _signals;
    private readonly PostgresListener _listener;
    private readonly PostgresStoreEvents _events;
    private readonly PostgresJobQueue _queue;
    private readonly RunRecords _records;
    private readonly RunWriter _writer;
    private readonly ChangeFeed _changes;
    private readonly LogFeed _logs;
    private readonly RunRetention _retention;
    private readonly string _origin;

    private PostgresRunStore(
        PostgresDatabase database, TimeProvider time, StoreSignals signals, PostgresListener listener, string origin, TimeSpan leaseDuration)
    {
        _database = database;
        _signals = signals;
        _listener = listener;
        _events = new PostgresStoreEvents(database, signals, origin);
        _queue = new PostgresJobQueue(database, signals, _events, time, leaseDuration);
        _records = new RunRecords(database, PostgresSql.Records, PostgresRows.Records, _events);
        _writer = new RunWriter(database, new PostgresRunDialect(), _events, time);
        _changes = new ChangeFeed(database, PostgresSql.Changes, signals.Changes, time);
        _logs = new LogFeed(_records, signals.Logs, time);
        _retention = new RunRetention(database, PostgresSql.Retention);
        _origin = origin;
        _repositories = new RepositoryRecords(database);
        _journal = new EventJournalRecords(database, PostgresSql.Claims);
        _outbox = new StatusOutboxRecords(database, PostgresSql.Claims);
        _schedules = new ScheduleRecords(database);
        _secrets = new SecretRecords(database);
    }

    /// <summary>Connects, brings the schema up to date (safely while other replicas do the same) and starts listening for
    /// what other store instances do.</summary>
    /// <exception cref="StoreConfigurationException">The connection string is malformed or the server cannot be reached or refuses.</exception>
    /// <exception cref="StoreSchemaException">The database's schema is newer than this build understands.</exception>
    public static async Task<PostgresRunStore> OpenAsync(PostgresStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var connection = PostgresConnection.Parse(options.ConnectionString);
        var database = new PostgresDatabase(NpgsqlDataSource.Create(connection.Pooled()), connection.Location);
        var signals = new StoreSignals(time);
        try
        {
            await using (var session = await database.Source.OpenConnectionAsync(cancellationToken))
            {
                await PostgresSchema.MigrateAsync(session, connection.Location, PostgresMigrations.All, time, cancellationToken);
            }

            var origin = Guid.NewGuid().ToString("N");
            var listener = await PostgresListener.StartAsync(connection.Listening(), signals, origin, time, cancellationToken);
            return new PostgresRunStore(database, time, signals, listener, origin, options.LeaseDuration);
        }
        catch (Exception error) when (connection.Explain(error) is { } explained)
        {
            await database.DisposeAsync();
            signals.Dispose();
            throw explained;
        }
        catch
        {
            await database.DisposeAsync();
            signals.Dispose();
            throw;
        }
    }

    public Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken) =>
        _writer.CreateRunAsync(plan, cancellationToken);

    public Task<RunRecord> CreateFailedRunAsync(
        string pipelineName, TriggerEvent trigger, FailureClass failureClass, IReadOnlyList<string> errors, DateTimeOffset at,
        CancellationToken cancellationToken) =>
        _writer.CreateFailedRunAsync(pipelineName, trigger, failureClass, errors, at, cancellationToken);

    public Task<bool> RequestCancelAsync(long runId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.RequestCancelAsync(runId, null, reason, at, cancellationToken);

    /// <exception cref="ArgumentException"><paramref name="expected"/> is a status a run has ended in.</exception>
    public Task<bool> RequestCancelAsync(long runId, RunStatus expected, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.RequestCancelAsync(runId, expected, reason, at, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        _records.ListRunsAsync(query, cancellationToken);

    public Task<IReadOnlyList<RunChange>> ReadChangesAsync(long afterId, long? runId, int limit, CancellationToken cancellationToken) =>
        _changes.ReadChangesAsync(afterId, runId, limit, cancellationToken);

    /// <inheritdoc cref="IRunStore.WaitForChangesAsync"/>
    /// <remarks>Wakes on changes made through any store instance on the same database (LISTEN/NOTIFY).</remarks>
    public Task WaitForChangesAsync(long afterId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _changes.WaitForChangesAsync(afterId, maxWait, cancellationToken);

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

    /// <exception cref="ArgumentException">The move is not one of <see cref="RunStatusTransitions"/>.</exception>
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
                .Bind("@texts", lines.Select(l => l.Text).ToArray())
                .Bind("@payload", PostgresNotifier.Payload(_origin, jobId)),
            cancellationToken);
        _signals.Logs.Wake(jobId);
    }

    /// <inheritdoc cref="IRunFeeds.WaitForLogAsync"/>
    /// <remarks>Wakes on lines appended through any store instance on the same database (LISTEN/NOTIFY).</remarks>
    public Task WaitForLogAsync(long jobId, long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _logs.WaitForLogAsync(jobId, afterSequence, maxWait, cancellationToken);

    public Task<long> GetLatestChangeIdAsync(CancellationToken cancellationToken) =>
        _changes.GetLatestChangeIdAsync(cancellationToken);

    public Task<int> DeleteRunsFinishedBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        _retention.DeleteRunsFinishedBeforeAsync(before, limit, cancellationToken);

    public Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        _records.ReadLogAsync(jobId, afterSequence, limit, cancellationToken);

    public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetLastLogSequenceAsync(jobId, cancellationToken);

    public Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _queue.TryLeaseAsync(workerId, labels, cancellationToken);

    public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        _queue.FindExpiredLeasesAsync(limit, cancellationToken);

    public Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken) =>
        _queue.ExtendAsync(lease, cancellationToken);

    public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken) =>
        _queue.CompleteAsync(lease, completion, cancellationToken);

    /// <inheritdoc cref="IJobQueue.WaitForWorkAsync"/>
    /// <remarks>Wakes on jobs queued through any store instance on the same database (LISTEN/NOTIFY).
    /// Throws <see cref="OperationCanceledException"/> on cancellation.</remarks>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForWorkAsync(maxWait, cancellationToken);

    /// <inheritdoc cref="IJobQueue.WaitForCancelRequestAsync"/>
    /// <remarks>Wakes on requests made through any store instance on the same database (LISTEN/NOTIFY).</remarks>
    public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForCancelRequestAsync(runId, maxWait, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _events.FlushAsync();
        await _listener.DisposeAsync();
        await _database.DisposeAsync();
        _signals.Dispose();
    }

    /// <summary>PostgreSQL keeps a run's inputs as jsonb and a job's needs and labels as text arrays; all of a run's jobs
    /// travel in one batch, one round trip however large the run.</summary>
    private sealed class PostgresRunDialect : IRunDialect
    {
        public void BindInputs(DbCommand command, string json) =>
            ((NpgsqlCommand)command).Parameters.AddWithValue("@inputs", NpgsqlDbType.Jsonb, json);

        public async Task InsertJobsAsync(IStatementRunner transaction, long runId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
        {
            if (jobs.Count == 0)
            {
                return;
            }

            var open = (PostgresTransactionRunner)transaction;
            await using var batch = new NpgsqlBatch(open.Connection, open.Transaction);
            foreach (var job in jobs)
            {
                var insert = new NpgsqlBatchCommand(PortableSql.InsertJob);
                insert.Parameters.AddWithValue("@run", runId);
                insert.Parameters.AddWithValue("@ordinal", job.Ordinal);
                insert.Parameters.AddWithValue("@name", job.Planned.Name);
                insert.Parameters.AddWithValue("@key", job.Planned.Key);
                insert.Parameters.AddWithValue("@needs", job.Planned.Needs.ToArray());
                insert.Parameters.AddWithValue("@labels", job.Planned.Labels.ToArray());
                insert.Parameters.AddWithValue("@status", job.Status.ToWire());
                insert.Parameters.AddWithValue("@definition", job.Planned.Definition);
                insert.Parameters.AddWithValue("@detail", NpgsqlDbType.Text, (object?)job.Detail ?? DBNull.Value);
                insert.Parameters.AddWithValue("@finished", NpgsqlDbType.Bigint, (object?)job.FinishedAt ?? DBNull.Value);
                insert.Parameters.AddWithValue("@reused", NpgsqlDbType.Bigint, (object?)job.Planned.ReusedFrom ?? DBNull.Value);
                insert.Parameters.AddWithValue("@changed", job.ChangedAt);
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
