using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Cairn.Storage.Signals;

namespace Cairn.Storage.Postgres;

/// <summary>Leases queued jobs out of PostgreSQL: each claim one statement that skips rows other workers are claiming.</summary>
internal sealed class PostgresJobQueue(
    PostgresDatabase database, StoreSignals signals, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
    : IJobQueue
{
    private readonly LeaseLedger _ledger = new(
        database, PostgresSql.Records, PostgresRows.Records, leaseId => leaseId, events, time, leaseDuration);

    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        cancellationToken.ThrowIfCancellationRequested();
        var leaseId = Guid.NewGuid();
        var now = time.GetUtcNow();
        var expiresAt = RecordRows.Truncate(now + leaseDuration);

        // A claim cancelled mid-flight might commit unseen and strand the job until its lease ran out, so once sent
        // the statement is allowed to finish.
        var jobs = await database.QueryAsync(
            PostgresSql.LeaseNextJob,
            command => command
                .Bind("@lease", leaseId)
                .Bind("@worker", workerId)
                .Bind("@now", RecordRows.ToMillis(now))
                .Bind("@expires", RecordRows.ToMillis(expiresAt))
                .Bind("@labels", labels.ToArray()),
            PostgresRows.Records.ReadJob,
            CancellationToken.None);

        if (jobs is not [var job])
        {
            return null;
        }

        events.StatusChanged();
        return new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job);
    }

    public Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken) => _ledger.ExtendAsync(lease, cancellationToken);

    public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken) =>
        _ledger.CompleteAsync(lease, completion, cancellationToken);

    public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        _ledger.FindExpiredLeasesAsync(limit, cancellationToken);

    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        signals.Work.WaitAsync(maxWait, cancellationToken);

    public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        signals.Cancels.WaitAsync(runId, maxWait, cancellationToken);
}
