using System.Data.Common;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Cairn.Storage.Signals;
using Npgsql;
using NpgsqlTypes;

namespace Cairn.Storage.Postgres;

/// <summary>Runs, jobs, steps, logs, the job queue and the server's tables in PostgreSQL, shared safely by the workers of
/// many processes and replicas.</summary>
/// <remarks>Wake-ups (queued work, new changes, cancel requests, appended log lines) reach the waiters of every store
/// instance on the same database through LISTEN/NOTIFY.</remarks>
public sealed class PostgresRunStore : CairnStore
{
    private static readonly StoreDialect Dialect = new()
    {
        Records = PostgresSql.Records,
        Rows = PostgresRows.Records,
        Runs = new PostgresRunDialect(),
        Changes = PostgresSql.Changes,
        Retention = PostgresSql.Retention,
        Claims = PostgresSql.Claims,
        LogSearch = PostgresSql.LogSearch,
        ArtifactFiles = PostgresArtifactFiles.Insert,
        LeaseIdValue = leaseId => leaseId,
    };

    private readonly PostgresDatabase _database;
    private readonly PostgresListener _listener;
    private readonly PostgresStoreEvents _events;
    private readonly PostgresJobClaim _claim;
    private readonly LogIndexer _indexer;
    private readonly string _origin;

    private PostgresRunStore(
        PostgresDatabase database, StoreSignals signals, PostgresStoreEvents events, PostgresListener listener, string origin,
        TimeProvider time, TimeSpan leaseDuration)
        : base(database, Dialect, signals, events, time, leaseDuration)
    {
        _database = database;
        _listener = listener;
        _events = events;
        _claim = new PostgresJobClaim(database, events, time, leaseDuration);
        _origin = origin;
        _indexer = new LogIndexer(CatchUpLogIndexAsync, time);
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
            var events = new PostgresStoreEvents(database, signals, origin);
            return new PostgresRunStore(database, signals, events, listener, origin, time, options.LeaseDuration);
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

    public override Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _claim.TryLeaseAsync(workerId, labels, cancellationToken);

    public override Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _claim.CompleteAndLeaseAsync(lease, completion, workerId, labels, cancellationToken);

    // A batch goes in as chunks of consecutive lines (PostgresLogChunks), a row each, queued for the index of log text,
    // in one statement.
    private protected override async Task InsertLogLinesAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
    {
        await _database.ExecuteAsync(
            PostgresSql.InsertLogChunks,
            command => PostgresLogChunks.BindInsert(command, jobId, lines, PostgresNotifier.Payload(_origin, jobId)),
            cancellationToken);
        _indexer.Appended();
    }

    private protected override Task<IReadOnlyList<StoredLogLine>> ReadLogLinesAsync(
        long jobId, int? stepIndex, long afterSequence, int limit, CancellationToken cancellationToken) =>
        PostgresLogChunks.ReadAsync(_database, jobId, stepIndex, afterSequence, limit, cancellationToken);

    private protected override async ValueTask ReleaseAsync()
    {
        await _indexer.DisposeAsync();
        await _events.FlushAsync();
        await _listener.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>PostgreSQL keeps a run's inputs as jsonb and a job's needs and labels as text arrays; all of a run's jobs
    /// travel in one batch, one round trip however large the run.</summary>
    private sealed class PostgresRunDialect : IRunDialect
    {
        public void BindInputs(DbCommand command, string json) =>
            ((NpgsqlCommand)command).Parameters.AddWithValue("@inputs", NpgsqlDbType.Jsonb, json);

        // A transaction-scoped advisory lock, keyed by repository and group: replicas on one database take turns per group.
        public Task LockGroupAsync(IStatementRunner transaction, string key, CancellationToken cancellationToken) =>
            transaction.QueryAsync(PostgresSql.LockGroup, command => command.Bind("@key", key), _ => 0, cancellationToken);

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
                insert.Parameters.AddWithValue("@priority", (short)job.Planned.Priority);
                insert.Parameters.AddWithValue("@fair", NpgsqlDbType.Bigint, (object?)job.FairKey ?? DBNull.Value);
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
