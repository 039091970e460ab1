using Cairn.Core.Runs;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Leases queued jobs out of the SQLite file: one claim at a time, each a compare-and-set.</summary>
internal sealed class SqliteJobQueue(SqliteDatabase database, WorkSignal signal, TimeProvider time, TimeSpan leaseDuration) : IJobQueue
{
    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        var leaseId = Guid.NewGuid();
        var offered = SqliteRows.ToJson(labels);
        await using var session = await database.OpenAsync(cancellationToken);

        // An idle worker asks often and mostly finds nothing; asking first with a read keeps it from taking turns at
        // writing away from the workers and producers that have something to write. A job queued just after the read
        // has pulsed the signal, so the worker's next wait returns at once.
        var probe = session.Command(SqliteSql.AnyLeasableJob);
        probe.Bind("@now", SqliteRows.ToMillis(time.GetUtcNow())).Bind("@labels", offered);
        if ((long)(await probe.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return null;
        }

        using var turn = await database.TakeWriteTurnAsync(cancellationToken);

        // IMMEDIATE takes the write lock before the search reads, so another process cannot claim the same row in between.
        await using var transaction = session.BeginImmediate();
        var now = time.GetUtcNow();
        var expiresAt = SqliteRows.Truncate(now + leaseDuration);
        var command = session.Command(SqliteSql.LeaseNextJob, transaction);
        command
            .Bind("@lease", leaseId.ToString())
            .Bind("@worker", workerId)
            .Bind("@now", SqliteRows.ToMillis(now))
            .Bind("@expires", SqliteRows.ToMillis(expiresAt))
            .Bind("@labels", offered);

        JobRecord? job = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                job = SqliteRows.ReadJob(reader);
            }
        }

        if (job is null)
        {
            return null;
        }

        // The claim is made: it must not be lost to a cancellation between the update and its commit.
        await transaction.CommitAsync(CancellationToken.None);
        return new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job);
    }

    public Task<bool> ExtendAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var expiresAt = time.GetUtcNow() + leaseDuration;
        return WriteLeaseAsync(SqliteSql.ExtendLease, lease, c => c.Bind("@expires", SqliteRows.ToMillis(expiresAt)), cancellationToken);
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
            requeue ? SqliteSql.RequeueLease : SqliteSql.CompleteLease,
            lease,
            command => command
                .Bind("@status", completion.Status.ToWire())
                .Bind("@retry", SqliteRows.ToMillisOrNull(completion.RetryAt))
                .Bind("@exit", completion.ExitCode)
                .Bind("@class", completion.FailureClass?.ToWire())
                .Bind("@detail", completion.Detail)
                .Bind("@started", SqliteRows.ToMillis(completion.StartedAt))
                .Bind("@finished", SqliteRows.ToMillis(completion.FinishedAt)),
            cancellationToken);

        if (ended && requeue)
        {
            signal.Pulse();
        }

        return ended;
    }

    public async Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            SqliteSql.ExpiredLeases,
            command => command.Bind("@now", SqliteRows.ToMillis(time.GetUtcNow())).Bind("@limit", limit),
            row =>
            {
                var job = SqliteRows.ReadJob(row);
                var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(16));
                return new JobLease(job.Id, job.RunId, Guid.Parse(row.GetString(14)), row.GetString(15), job.Attempt, expiresAt, job);
            },
            cancellationToken);

    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        signal.WaitAsync(maxWait, cancellationToken);

    private async Task<bool> WriteLeaseAsync(string sql, JobLease lease, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var changed = await database.ExecuteWriteAsync(
            sql,
            command =>
            {
                command.Bind("@id", lease.JobId).Bind("@lease", lease.LeaseId.ToString());
                bind(command);
            },
            cancellationToken);
        return changed == 1;
    }
}
