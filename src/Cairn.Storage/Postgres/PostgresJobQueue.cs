using Cairn.Core.Runs;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Leases queued jobs out of PostgreSQL: each claim one statement that skips rows other workers are claiming.</summary>
internal sealed class PostgresJobQueue(
    PostgresDatabase database, WorkSignal signal, PostgresNotifier notifier, TimeProvider time, TimeSpan leaseDuration)
    : IJobQueue
{
    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        cancellationToken.ThrowIfCancellationRequested();
        var leaseId = Guid.NewGuid();
        var now = time.GetUtcNow();
        var expiresAt = PostgresRows.Truncate(now + leaseDuration);

        // A claim cancelled mid-flight might commit unseen and strand the job until its lease ran out, so once sent
        // the statement is allowed to finish.
        var jobs = await database.QueryAsync(
            PostgresSql.LeaseNextJob,
            command => command
                .Bind("@lease", leaseId)
                .Bind("@worker", workerId)
                .Bind("@now", PostgresRows.ToMillis(now))
                .Bind("@expires", PostgresRows.ToMillis(expiresAt))
                .Bind("@labels", labels.ToArray()),
            PostgresRows.ReadJob,
            CancellationToken.None);

        return jobs is [var job] ? new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job) : null;
    }

    public Task<bool> ExtendAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var expiresAt = time.GetUtcNow() + leaseDuration;
        return WriteLeaseAsync(PostgresSql.ExtendLease, lease, c => c.Bind("@expires", PostgresRows.ToMillis(expiresAt)), cancellationToken);
    }

    public async Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);
        var requeue = completion.RetryAt is not null;
        if (!requeue && !completion.Status.IsTerminal())
        {
            throw new ArgumentException($"a lease ends in a terminal status or a retry, not '{completion.Status.ToWire()}'", nameof(completion));
        }

        var ended = await WriteLeaseAsync(
            requeue ? PostgresSql.RequeueLease : PostgresSql.CompleteLease,
            lease,
            command =>
            {
                command
                    .Bind("@exit", completion.ExitCode)
                    .Bind("@class", completion.FailureClass?.ToWire())
                    .Bind("@detail", completion.Detail)
                    .Bind("@started", PostgresRows.ToMillis(completion.StartedAt))
                    .Bind("@finished", PostgresRows.ToMillis(completion.FinishedAt));
                if (requeue)
                {
                    command.Bind("@retry", PostgresRows.ToMillis(completion.RetryAt));
                }
                else
                {
                    command.Bind("@status", completion.Status.ToWire());
                }
            },
            cancellationToken);

        if (ended && requeue)
        {
            signal.Pulse();
            notifier.JobQueued();
        }

        return ended;
    }

    public async Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            PostgresSql.ExpiredLeases,
            command => command.Bind("@now", PostgresRows.ToMillis(time.GetUtcNow())).Bind("@limit", limit),
            PostgresRows.ReadExpiredLease,
            cancellationToken);

    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        signal.WaitAsync(maxWait, cancellationToken);

    private async Task<bool> WriteLeaseAsync(string sql, JobLease lease, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var changed = await database.ExecuteAsync(
            sql,
            command =>
            {
                command.Bind("@id", lease.JobId).Bind("@lease", lease.LeaseId);
                bind(command);
            },
            cancellationToken);
        return changed == 1;
    }
}
