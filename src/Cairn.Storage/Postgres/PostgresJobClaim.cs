using System.Data.Common;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Postgres;

/// <summary>Claims queued jobs out of PostgreSQL for workers: each claim one statement that skips rows other workers are
/// claiming, by priority and then age. A job of a repository with a limit of running jobs is claimed in a short
/// transaction that holds the repository's turn, so that claims racing on other connections cannot together pass the
/// limit. The rest of a lease (extending, completing, reclaiming) is the shared <see cref="LeaseLedger"/>'s.</summary>
internal sealed class PostgresJobClaim(PostgresDatabase database, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
{
    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        cancellationToken.ThrowIfCancellationRequested();
        var leaseId = Guid.NewGuid();
        var now = time.GetUtcNow();
        var expiresAt = RecordRows.Truncate(now + leaseDuration);
        var offered = labels.ToArray();
        var full = new List<string>();

        // Each turn either leases, finds nothing, or finds the best job in a repository with a limit and claims in that
        // repository under its lock; a repository found full is passed over on the next turn, so the turns end.
        while (true)
        {
            // A claim cancelled mid-flight might commit unseen and strand the job until its lease ran out, so once sent
            // the statement is allowed to finish.
            var found = await database.QueryAsync(
                PostgresSql.LeaseNextJob,
                command => Bind(command, leaseId, workerId, now, expiresAt, offered).Bind("@excluded", full.ToArray()),
                ReadCandidate,
                CancellationToken.None);

            if (found is not [var (leased, repository)])
            {
                return null;
            }

            var (job, queuedAt) = leased is { } picked ? (picked.Job, picked.QueuedAt) : await LeaseInRepositoryAsync(repository!, leaseId, workerId, now, expiresAt, offered);
            if (job is not null)
            {
                events.StatusChanged();
                return new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job) { QueuedAt = queuedAt };
            }

            full.Add(repository!);
        }
    }

    private Task<(JobRecord? Job, DateTimeOffset? QueuedAt)> LeaseInRepositoryAsync(
        string repository, Guid leaseId, string workerId, DateTimeOffset now, DateTimeOffset expiresAt, string[] offered) =>
        database.InTransactionAsync(
            async transaction =>
            {
                await transaction.QueryAsync(PostgresSql.LockRepository, command => command.Bind("@key", repository), _ => 0, CancellationToken.None);
                var queued = await transaction.QueryAsync(
                    PostgresSql.QueuedAtOfRepositoryJob,
                    command => command.Bind("@now", RecordRows.ToMillis(now)).Bind("@labels", offered).Bind("@key", repository),
                    row => (row.GetInt64(0), row.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1))),
                    CancellationToken.None);
                var jobs = await transaction.QueryAsync(
                    PostgresSql.LeaseJobOfRepository,
                    command => Bind(command, leaseId, workerId, now, expiresAt, offered).Bind("@key", repository),
                    PostgresRows.Records.ReadJob,
                    CancellationToken.None);
                return jobs is [var leased] ? ((JobRecord?)leased, queued is [var (id, at)] && id == leased.Id ? at : null) : ((JobRecord?)null, (DateTimeOffset?)null);
            },
            CancellationToken.None);

    private static DbCommand Bind(DbCommand command, Guid leaseId, string workerId, DateTimeOffset now, DateTimeOffset expiresAt, string[] offered) =>
        command
            .Bind("@lease", leaseId)
            .Bind("@worker", workerId)
            .Bind("@now", RecordRows.ToMillis(now))
            .Bind("@expires", RecordRows.ToMillis(expiresAt))
            .Bind("@labels", offered);

    // The job when it was leased at once; else the key of the repository whose limit it must be claimed under.
    private static ((JobRecord Job, DateTimeOffset? QueuedAt)? Leased, string? Repository) ReadCandidate(DbDataReader row) =>
        row.IsDBNull(0) ? (null, row.GetString(row.GetOrdinal("repository_key"))) : ((PostgresRows.Records.ReadJob(row), QueuedAtOf(row)), null);

    /// <summary>When the leased job was queued (or its back-off ended), from the claim's <c>queued_at</c> column.</summary>
    private static DateTimeOffset? QueuedAtOf(DbDataReader row)
    {
        var ordinal = row.GetOrdinal("queued_at");
        return row.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(ordinal));
    }
}
