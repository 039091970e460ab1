using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Sqlite;

/// <summary>Claims queued jobs out of the SQLite file for workers: one claim at a time, each a compare-and-set. The rest
/// of a lease (extending, completing, reclaiming) is the shared <see cref="LeaseLedger"/>'s.</summary>
internal sealed class SqliteJobClaim(SqliteDatabase database, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
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
        probe.Bind("@now", RecordRows.ToMillis(time.GetUtcNow())).Bind("@labels", offered);
        if ((long)(await probe.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return null;
        }

        using var turn = await database.TakeWriteTurnAsync(cancellationToken);

        // IMMEDIATE takes the write lock before the search reads, so another process cannot claim the same row in between.
        await using var transaction = session.BeginImmediate();
        var now = time.GetUtcNow();
        var expiresAt = RecordRows.Truncate(now + leaseDuration);
        var look = session.Command(SqliteSql.QueuedAtOfNextJob, transaction);
        look.Bind("@now", RecordRows.ToMillis(now)).Bind("@labels", offered);
        (long Id, DateTimeOffset? At)? queued = null;
        await using (var reader = await look.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                queued = (reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
            }
        }

        var command = session.Command(SqliteSql.LeaseNextJob, transaction);
        command
            .Bind("@lease", leaseId.ToString())
            .Bind("@worker", workerId)
            .Bind("@now", RecordRows.ToMillis(now))
            .Bind("@expires", RecordRows.ToMillis(expiresAt))
            .Bind("@labels", offered);

        JobRecord? job = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                job = SqliteRows.Records.ReadJob(reader);
            }
        }

        if (job is null)
        {
            return null;
        }

        // The claim is made: it must not be lost to a cancellation between the update and its commit.
        await transaction.CommitAsync(CancellationToken.None);
        events.StatusChanged();
        return new JobLease(job.Id, job.RunId, leaseId, workerId, job.Attempt, expiresAt, job)
        {
            QueuedAt = queued is { } q && q.Id == job.Id ? q.At : null,
        };
    }
}
