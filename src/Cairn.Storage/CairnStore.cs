using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage.Portable;
using Cairn.Storage.Signals;

namespace Cairn.Storage;

/// <summary>The one implementation of <see cref="ICairnStore"/> both databases share: every call goes to the
/// dialect-neutral data access (Cairn.Storage.Portable), given the dialect's statements and row mapping.</summary>
/// <remarks>Each database's store (<see cref="Sqlite.SqliteRunStore"/>, <see cref="Postgres.PostgresRunStore"/>) derives
/// from it and supplies only what truly differs: opening the database, claiming a queued job, appending a batch of log
/// lines, and letting go of its connections and listeners.</remarks>
public abstract partial class CairnStore : ICairnStore
{
    private readonly StoreSignals _signals;
    private readonly RunRecords _records;
    private readonly RunWriter _writer;
    private readonly ConcurrencyGroups _groups;
    private readonly ChangeFeed _changes;
    private readonly LogFeed _logs;
    private readonly RunRetention _retention;
    private readonly LeaseLedger _leases;

    /// <param name="intake">Where webhook deliveries are journaled, when not <paramref name="database"/>: a forge waits for
    /// that write's answer.</param>
    private protected CairnStore(
        IStatementRunner database, StoreDialect dialect, StoreSignals signals, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration,
        IStatementRunner? intake = null)
    {
        _signals = signals;
        _records = new RunRecords(database, dialect.Records, dialect.Rows, events);
        _groups = new ConcurrencyGroups(database, dialect.Runs, events);
        _writer = new RunWriter(database, dialect.Runs, _groups, events, time);
        _changes = new ChangeFeed(database, dialect.Changes, signals.Changes, time);
        _logs = new LogFeed(_records, signals.Logs, time);
        _retention = new RunRetention(database, dialect.Retention, time);
        _leases = new LeaseLedger(database, dialect.Records, dialect.Rows, dialect.LeaseIdValue, events, time, leaseDuration);
        _repositories = new RepositoryRecords(database, time);
        _journal = new EventJournalRecords(database, dialect.Claims, intake ?? database);
        _outbox = new StatusOutboxRecords(database, dialect.Claims);
        _schedules = new ScheduleRecords(database);
        _secrets = new SecretRecords(database);
        _overview = new RunOverviewRecords(database);
        _dashboardKeys = new DashboardKeyRecords(database);
        _pullRequests = new PullRequestRecords(database);
        _logSearch = new LogSearchRecords(database, dialect.LogSearch);
        _users = new UserRecords(database);
        _members = new MemberRecords(database);
        _tokens = new ApiTokenRecords(database, _users);
        _sessions = new SessionRecords(database);
        _leaseLookup = new LeaseLookup(database, dialect.Rows, dialect.LeaseIdValue);
        _workers = new WorkerRecords(database);
        _trackers = new TrackerRecords(database);
        _agents = new AgentSessionRecords(database, dialect.LeaseIdValue, events);
        _agentTime = time;
        _gateRecords = new GateRecords(database, events, time);
        _artifacts = new ArtifactRecords(database, dialect.ArtifactFiles, time);
        _caches = new CacheRecords(database, time);
        _operations = new OperationalCountRecords(database);
    }

    public Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken) =>
        _writer.CreateRunAsync(plan, cancellationToken);

    public Task<RunRecord?> ApproveRunAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _groups.ApproveAsync(runId, at, cancellationToken);

    public Task<RunRecord?> StartNextInGroupAsync(string? repository, string group, DateTimeOffset at, CancellationToken cancellationToken) =>
        _groups.StartNextAsync(repository, group, at, cancellationToken);

    public Task<IReadOnlyList<long>> RepairGroupsAsync(DateTimeOffset at, DateTimeOffset stalledBefore, int limit, CancellationToken cancellationToken) =>
        _groups.RepairAsync(at, stalledBefore, limit, cancellationToken);

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
    /// <remarks>Wakes at once on changes made through this instance, and on PostgreSQL on those made through any store
    /// instance on the same database (LISTEN/NOTIFY); on SQLite, others' are found at <paramref name="maxWait"/>.</remarks>
    public Task WaitForChangesAsync(long afterId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _changes.WaitForChangesAsync(afterId, maxWait, cancellationToken);

    public Task<long> GetLatestChangeIdAsync(CancellationToken cancellationToken) =>
        _changes.GetLatestChangeIdAsync(cancellationToken);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetRunAsync(runId, cancellationToken);

    public Task<RunState?> GetRunStateAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetRunStateAsync(runId, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetJobsAsync(runId, cancellationToken);

    public Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken) =>
        _records.GetJobStatusesAsync(runId, cancellationToken);

    public Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetJobAsync(jobId, cancellationToken);

    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="to"/> is running: only a lease moves a running job.</exception>
    public Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken) =>
        _records.TryTransitionJobAsync(jobId, from, to, transition, cancellationToken);

    public Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken) =>
        _records.GetJobStatusesAsync(runId, jobIds, cancellationToken);

    public Task<IReadOnlyList<long>> QueueJobsAsync(long runId, IReadOnlyList<long> jobIds, JobTransition transition, CancellationToken cancellationToken) =>
        _records.QueueJobsAsync(runId, jobIds, transition, cancellationToken);

    /// <exception cref="ArgumentException">The move is not one of <see cref="RunStatusTransitions"/>.</exception>
    public Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
        _records.TryTransitionRunAsync(runId, from, to, at, cancellationToken);

    public Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken) =>
        _records.SaveStepAsync(step, cancellationToken);

    public Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetStepsAsync(jobId, cancellationToken);

    public Task<int> DeleteRunsFinishedBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        _retention.DeleteRunsFinishedBeforeAsync(before, limit, cancellationToken);

    public async Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            return;
        }

        await InsertLogLinesAsync(jobId, lines, cancellationToken);
        _signals.Logs.Wake(jobId);
    }

    public Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        ReadLogLinesAsync(jobId, null, afterSequence, limit, cancellationToken);

    public Task<IReadOnlyList<StoredLogLine>> ReadStepLogAsync(
        long jobId, int stepIndex, long afterSequence, int limit, CancellationToken cancellationToken) =>
        ReadLogLinesAsync(jobId, stepIndex, afterSequence, limit, cancellationToken);

    public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) =>
        _records.GetLastLogSequenceAsync(jobId, cancellationToken);

    /// <inheritdoc cref="IRunFeeds.WaitForLogAsync"/>
    /// <remarks>Wakes at once on lines appended through this instance, and on PostgreSQL on those appended through any
    /// store instance on the same database (LISTEN/NOTIFY); on SQLite, others' are found at <paramref name="maxWait"/>.</remarks>
    public Task WaitForLogAsync(long jobId, long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _logs.WaitForLogAsync(jobId, afterSequence, maxWait, cancellationToken);

    /// <summary>Claims the oldest queued job whose labels the worker offers, in one compare-and-set, the dialect's way.</summary>
    public abstract Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken);

    /// <summary>Ends the lease and claims the next job in one transaction, the dialect's way: the completion is decided on its
    /// own (a lost lease writes nothing of it), and the claim is made whichever way it went.</summary>
    /// <exception cref="ArgumentException">The completion neither retries nor ends in a terminal status.</exception>
    public abstract Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken);

    public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        _leases.FindExpiredLeasesAsync(limit, cancellationToken);

    public Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken) =>
        _leases.ExtendAsync(lease, cancellationToken);

    public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken) =>
        _leases.CompleteAsync(lease, completion, cancellationToken);

    /// <summary>Ends leases the way both dialects share, for a dialect's claim that ends one in the same transaction.</summary>
    private protected LeaseLedger Leases => _leases;

    /// <inheritdoc cref="IJobQueue.WaitForWorkAsync"/>
    /// <remarks>Wakes on jobs queued through this instance, and on PostgreSQL on those queued through any store instance on
    /// the same database (LISTEN/NOTIFY). Throws <see cref="OperationCanceledException"/> on cancellation.</remarks>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        _signals.Work.WaitAsync(maxWait, cancellationToken);

    /// <inheritdoc cref="IJobQueue.WaitForCancelRequestAsync"/>
    /// <remarks>Wakes on requests made through this instance, and on PostgreSQL on those made through any store instance
    /// on the same database (LISTEN/NOTIFY).</remarks>
    public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _signals.Cancels.WaitAsync(runId, maxWait, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        _signals.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="lines"/> (never none) to the job's log in one transaction; the caller wakes this
    /// process's followers once it returns.</summary>
    private protected abstract Task InsertLogLinesAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> of the job's lines after <paramref name="afterSequence"/> in order, of
    /// one step when <paramref name="stepIndex"/> is given; a line a row unless the dialect keeps them otherwise.</summary>
    private protected virtual Task<IReadOnlyList<StoredLogLine>> ReadLogLinesAsync(
        long jobId, int? stepIndex, long afterSequence, int limit, CancellationToken cancellationToken) =>
        stepIndex is { } step
            ? _records.ReadStepLogAsync(jobId, step, afterSequence, limit, cancellationToken)
            : _records.ReadLogAsync(jobId, afterSequence, limit, cancellationToken);

    /// <summary>Lets go of the database and whatever listens to it; called once, on dispose.</summary>
    private protected abstract ValueTask ReleaseAsync();
}
