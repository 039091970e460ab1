using System.Data.Common;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Storage.Records;
using Cairn.Storage.Signals;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Runs, jobs, steps, logs, the job queue and the server's tables in one SQLite file (WAL), shared safely by the
/// workers of a process.</summary>
/// <remarks>Wake-ups (queued work, new changes, cancel requests) reach the waiters of this instance at once; another
/// process on the same file finds queued work at its next poll and a cancel request at its next heartbeat.</remarks>
public sealed partial class SqliteRunStore : ICairnStore
{
    private readonly SqliteDatabase _database;
    private readonly StoreSignals _signals;
    private readonly SqliteJobQueue _queue;
    private readonly RunRecords _records;
    private readonly RunWriter _writer;
    private readonly ChangeFeed _changes;
    private readonly LogFeed _logs;
    private readonly RunRetention _retention;

    private SqliteRunStore(SqliteDatabase database, TimeProvider time, TimeSpan leaseDuration)
    {
        _database = database;
        _signals = new StoreSignals(time);
        var events = new LocalStoreEvents(_signals);
        _queue = new SqliteJobQueue(database, _signals, events, time, leaseDuration);
        _records = new RunRecords(database, SqliteSql.Records, SqliteRows.Records, events);
        _writer = new RunWriter(database, new SqliteRunDialect(), events, time);
        _changes = new ChangeFeed(database, SqliteSql.Changes, _signals.Changes, time);
        _logs = new LogFeed(_records, _signals.Logs, time);
        _retention = new RunRetention(database, SqliteSql.Retention);
        _repositories = new RepositoryRecords(database);
        _journal = new EventJournalRecords(database, SqliteSql.Claims);
        _outbox = new StatusOutboxRecords(database, SqliteSql.Claims);
        _schedules = new ScheduleRecords(database);
        _secrets = new SecretRecords(database);
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
    /// <remarks>Wakes at once on changes made through this instance; others are found at <paramref name="maxWait"/>.</remarks>
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
        _signals.Logs.Wake(jobId);
    }

    /// <inheritdoc cref="IRunFeeds.WaitForLogAsync"/>
    /// <remarks>Wakes at once on lines appended through this instance; others are found at <paramref name="maxWait"/>.</remarks>
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
    /// <remarks>Wakes on jobs queued through this instance only. Throws <see cref="OperationCanceledException"/> on cancellation.</remarks>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForWorkAsync(maxWait, cancellationToken);

    public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _queue.WaitForCancelRequestAsync(runId, maxWait, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _signals.Dispose();
        _database.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>SQLite keeps a run's inputs and a job's needs and labels as JSON text.</summary>
    private sealed class SqliteRunDialect : IRunDialect
    {
        public void BindInputs(DbCommand command, string json) => command.Bind("@inputs", json);

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
                        .Bind("@needs", SqliteRows.ToJson(job.Planned.Needs))
                        .Bind("@labels", SqliteRows.ToJson(job.Planned.Labels))
                        .Bind("@status", job.Status.ToWire())
                        .Bind("@definition", job.Planned.Definition)
                        .Bind("@detail", job.Detail)
                        .Bind("@finished", job.FinishedAt)
                        .Bind("@reused", job.Planned.ReusedFrom)
                        .Bind("@changed", job.ChangedAt),
                    cancellationToken);
            }
        }
    }
}
