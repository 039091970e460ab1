using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Postgres;

/// <summary>Claims queued jobs out of PostgreSQL for workers: each claim one statement that skips rows other workers are
/// claiming. The rest of a lease (extending, completing, reclaiming) is the shared <see cref="LeaseLedger"/>'s.</summary>
internal sealed class PostgresJobClaim(PostgresDatabase database, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
{
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
}
