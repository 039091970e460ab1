using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Claims queued jobs out of the SQLite file for workers: one claim at a time, each a compare-and-set, alone or in
/// the transaction that ends the worker's previous lease. The rest of a lease (extending, completing, reclaiming) is the
/// shared <see cref="LeaseLedger"/>'s.</summary>
internal sealed class SqliteJobClaim(SqliteDatabase database, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
{
    // LeaseQueuedJob returns the job's columns, then the run's trace context.
    private const int TraceOrdinal = 17;

    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        var offered = SqliteRows.ToJson(labels);
        await using var session = await database.OpenAsync(cancellationToken);

        // An idle worker asks often and mostly finds nothing; asking first with a read keeps it from taking turns at
        // writing away from the workers and producers that have something to write. A job queued just after the read
        // has pulsed the signal, so the worker's next wait returns at once.
        var probe = session.Command(SqliteSql.AnyLeasableJob);
        probe.Bind("@now", RecordRows.ToMillis(time.GetUtcNow())).Bind("@labels", offered);
        if ((long)(await probe.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return null;
        }

        using var turn = await database.TakeWriteTurnAsync(cancellationToken);

        // IMMEDIATE takes the write lock before the search reads, so another process cannot claim the same row in between.
        await using var transaction = session.BeginImmediate();
        var lease = await ClaimAsync(session, transaction, workerId, offered, cancellationToken);
        if (lease is null)
        {
            return null;
        }

        // The claim is made: it must not be lost to a cancellation between the update and its commit.
        await transaction.CommitAsync(CancellationToken.None);
        events.StatusChanged();
        return lease;
    }

    /// <summary>Ends <paramref name="lease"/> through <paramref name="ledger"/> and claims the next job, in one
    /// <c>BEGIN IMMEDIATE</c> transaction: one turn at the write lock and one commit for both.</summary>
    public async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        LeaseLedger ledger, JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels,
        CancellationToken cancellationToken)
    {
        var requeue = LeaseLedger.Requeues(lease, completion);
        var offered = SqliteRows.ToJson(labels);
        await using var session = await database.OpenAsync(cancellationToken);
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = session.BeginImmediate();

        // The completion is written, or found stale and nothing of it written, before the claim looks: a requeued job of
        // this worker's may be claimed again at once, as it would be by the next TryLeaseAsync.
        var completed = await ledger.WriteCompletionAsync(SqliteDatabase.Within(session, transaction), lease, completion, cancellationToken);
        var next = await ClaimAsync(session, transaction, workerId, offered, cancellationToken);
        if (!completed && next is null)
        {
            return (false, null);
        }

        // Once the completion is written, a cancellation must not roll it back, nor lose the claim made with it.
        await transaction.CommitAsync(CancellationToken.None);
        if (completed)
        {
            ledger.Ended(requeue);
        }

        if (next is not null)
        {
            events.StatusChanged();
        }

        return (completed, next);
    }

    /// <summary>Finds the next leasable job and claims it, inside <paramref name="transaction"/> (which holds the write lock);
    /// null when there is none.</summary>
    private async Task<JobLease?> ClaimAsync(
        SqliteSession session, SqliteTransaction transaction, string workerId, string offered, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var look = session.Command(SqliteSql.NextJob, transaction);
        look.Bind("@now", RecordRows.ToMillis(now)).Bind("@labels", offered);
        long id;
        DateTimeOffset? queuedAt;
        await using (var reader = await look.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            id = reader.GetInt64(0);
            queuedAt = reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        }

        var leaseId = Guid.NewGuid();
        var expiresAt = RecordRows.Truncate(now + leaseDuration);
        var command = session.Command(SqliteSql.LeaseQueuedJob, transaction);
        command
            .Bind("@id", id)
            .Bind("@lease", leaseId.ToString())
            .Bind("@worker", workerId)
            .Bind("@now", RecordRows.ToMillis(now))
            .Bind("@expires", RecordRows.ToMillis(expiresAt));

        await using var leased = await command.ExecuteReaderAsync(cancellationToken);
        if (!await leased.ReadAsync(cancellationToken))
        {
            // Not reachable while the write lock is held from the search; should it happen, there is simply no lease.
            return null;
        }

        var job = SqliteRows.Records.ReadJob(leased);
        var trace = leased.IsDBNull(TraceOrdinal) ? null : leased.GetString(TraceOrdinal);
        return new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job) { QueuedAt = queuedAt, TraceParent = trace };
    }
}
