using System.Data.Common;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Cairn.Storage.Signals;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Runs, jobs, steps, logs, the job queue and the server's tables in one SQLite file (WAL), shared safely by the
/// workers of a process.</summary>
/// <remarks>Wake-ups (queued work, new changes, cancel requests) reach the waiters of this instance at once; another
/// process on the same file finds queued work at its next poll and a cancel request at its next heartbeat.</remarks>
public sealed class SqliteRunStore : CairnStore
{
    private static readonly StoreDialect Dialect = new()
    {
        Records = SqliteSql.Records,
        Rows = SqliteRows.Records,
        Runs = new SqliteRunDialect(),
        Changes = SqliteSql.Changes,
        Retention = SqliteSql.Retention,
        Claims = SqliteSql.Claims,
        LogSearch = SqliteSql.LogSearch,
        ArtifactFiles = SqliteArtifactFiles.Insert,

        // SQLite keeps lease ids as text.
        LeaseIdValue = leaseId => leaseId.ToString(),
    };

    private readonly SqliteDatabase _database;
    private readonly SqliteJobClaim _claim;
    private readonly LogIndexer _indexer;

    /// <summary>The file and the process's turn at writing, for tests that must hold the turn.</summary>
    internal SqliteDatabase Database => _database;

    private SqliteRunStore(SqliteDatabase database, StoreSignals signals, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
        : base(database, Dialect, signals, events, time, leaseDuration, database.Urgent)
    {
        _database = database;
        _claim = new SqliteJobClaim(database, events, time, leaseDuration);
        _indexer = new LogIndexer(CatchUpLogIndexAsync, time);
    }

    /// <summary>How long appended lines wait before they are indexed, and how long appends must pause first, so that many
    /// go into one transaction.</summary>
    public static TimeSpan LogIndexDelay => LogIndexer.Delay;

    /// <summary>How long appended lines wait at most for the appends to pause before they are indexed.</summary>
    public static TimeSpan LogIndexMaxDelay => LogIndexer.MaxDelay;

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

            var signals = new StoreSignals(time);
            return new SqliteRunStore(database, signals, new LocalStoreEvents(signals), time, options.LeaseDuration);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public override Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _claim.TryLeaseAsync(workerId, labels, cancellationToken);

    public override Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        _claim.CompleteAndLeaseAsync(Leases, lease, completion, workerId, labels, cancellationToken);

    // A batch goes in as chunks of consecutive lines (SqliteLogChunks), a row and a statement each, in one transaction.
    private protected override async Task InsertLogLinesAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
    {
        await using var session = await _database.OpenAsync(cancellationToken);
        using var turn = await _database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = session.BeginImmediate();
        foreach (var (start, count) in SqliteLogChunks.Cut(lines))
        {
            session.ChunkInsert.Insert(jobId, lines, start, count);
        }

        await transaction.CommitAsync(cancellationToken);
        _indexer.Appended();
    }

    // Chunks are read in order and their lines decoded here, so a page stops at the chunk that fills it.
    private protected override async Task<IReadOnlyList<StoredLogLine>> ReadLogLinesAsync(
        long jobId, int? stepIndex, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var lines = new List<StoredLogLine>(Math.Clamp(limit, 0, 1_024));
        if (limit <= 0)
        {
            return lines;
        }

        await using var session = await _database.OpenAsync(cancellationToken);
        var command = session.Command(SqliteSql.LogChunksAfter);
        command.Bind("@job", jobId).Bind("@after", afterSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (lines.Count < limit && await reader.ReadAsync(cancellationToken))
        {
            SqliteLogChunks.Decode(reader.GetFieldValue<byte[]>(1), reader.GetInt64(0), afterSequence, stepIndex, limit, lines);
        }

        return lines;
    }

    private protected override async ValueTask ReleaseAsync()
    {
        await _indexer.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>SQLite keeps a run's inputs and a job's needs and labels as JSON text.</summary>
    private sealed class SqliteRunDialect : IRunDialect
    {
        public void BindInputs(DbCommand command, string json) => command.Bind("@inputs", json);

        // A SQLite transaction that may write holds the database's write lock from its start: every group has its turn.
        public Task LockGroupAsync(IStatementRunner transaction, string key, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task InsertJobsAsync(IStatementRunner transaction, long runId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
        {
            foreach (var job in jobs)
            {
                await transaction.ExecuteAsync(
                    PortableSql.InsertJob,
                    command => command
                        .Bind("@run", runId)
                        .Bind("@ordinal", job.Ordinal)
                        .Bind("@name", job.Planned.Name)
                        .Bind("@key", job.Planned.Key)
                        .Bind("@needs", StorageJson.Write(job.Planned.Needs))
                        .Bind("@labels", StorageJson.Write(job.Planned.Labels))
                        .Bind("@status", job.Status.ToWire())
                        .Bind("@definition", job.Planned.Definition)
                        .Bind("@detail", job.Detail)
                        .Bind("@finished", job.FinishedAt)
                        .Bind("@reused", job.Planned.ReusedFrom)
                        .Bind("@changed", job.ChangedAt)
                        .Bind("@priority", (int)job.Planned.Priority)
                        .Bind("@fair", job.FairKey),
                    cancellationToken);
            }
        }
    }
}
