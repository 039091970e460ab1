using System.Collections.Concurrent;
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

    private readonly ConcurrentQueue<TurnRequest> _asking = new();

    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        var offered = StorageJson.Write(labels);
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
    /// <c>BEGIN IMMEDIATE</c> transaction. Workers of this process that ask meanwhile share it: whoever gets the write turn
    /// ends and claims for every worker waiting, one after the other, and commits once for all of them.</summary>
    public async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        LeaseLedger ledger, JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels,
        CancellationToken cancellationToken)
    {
        var request = new TurnRequest(lease, completion, LeaseLedger.Requeues(lease, completion), workerId, StorageJson.Write(labels));
        cancellationToken.ThrowIfCancellationRequested();

        // Once asked, the request may be served by another worker's turn at any moment: its outcome must reach this caller,
        // so from here on only being served ends the wait, never a cancellation.
        _asking.Enqueue(request);
        try
        {
            using var turn = await database.TakeWriteTurnAsync(request.Served.Token);
            if (!request.Outcome.Task.IsCompleted)
            {
                await ServeAsync(ledger);
            }
        }
        catch (OperationCanceledException) when (request.Served.IsCancellationRequested)
        {
            // Served in another worker's turn.
        }

        try
        {
            return await request.Outcome.Task;
        }
        finally
        {
            request.Served.Dispose();
        }
    }

    /// <summary>Ends and claims, in one transaction, for every request waiting; called holding the write turn. Should the
    /// transaction fail, nothing of it is committed and each request is served again in a transaction of its own, so that
    /// one that fails fails alone, as it would have in a turn of its own, and the others are still served.</summary>
    private async Task ServeAsync(LeaseLedger ledger)
    {
        var served = new List<TurnRequest>();
        while (_asking.TryDequeue(out var asked))
        {
            served.Add(asked);
        }

        List<(bool Completed, JobLease? Next)?> outcomes;
        try
        {
            outcomes = [.. await ServeTogetherAsync(ledger, served)];
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A request alone fails as the turn did; of several, each is tried again in a transaction of its own.
            outcomes = [];
            foreach (var request in served)
            {
                if (served.Count == 1)
                {
                    await request.Served.CancelAsync();
                    request.Outcome.TrySetException(error);
                    return;
                }

                try
                {
                    outcomes.Add((await ServeTogetherAsync(ledger, [request]))[0]);
                }
                catch (Exception alone) when (alone is not OutOfMemoryException)
                {
                    await request.Served.CancelAsync();
                    request.Outcome.TrySetException(alone);
                    outcomes.Add(null);
                }
            }
        }

        for (var i = 0; i < served.Count; i++)
        {
            if (outcomes[i] is not { } outcome)
            {
                continue;
            }

            if (outcome.Completed)
            {
                ledger.Ended(served[i].Requeue);
            }

            if (outcome.Next is not null)
            {
                events.StatusChanged();
            }

            // The request's wait for the write turn is called off before its outcome lets the caller go on.
            await served[i].Served.CancelAsync();
            served[i].Outcome.TrySetResult(outcome);
        }
    }

    /// <summary>Ends and claims for <paramref name="requests"/>, in order, in one transaction; throws, having committed
    /// nothing, when any statement fails.</summary>
    private async Task<List<(bool Completed, JobLease? Next)>> ServeTogetherAsync(LeaseLedger ledger, List<TurnRequest> requests)
    {
        var outcomes = new List<(bool Completed, JobLease? Next)>(requests.Count);
        await using var session = await database.OpenAsync(CancellationToken.None);
        await using var transaction = session.BeginImmediate();
        foreach (var request in requests)
        {
            // The completion is written, or found stale and nothing of it written, before the claim looks: a requeued
            // job may be claimed again at once, as it would be by the next TryLeaseAsync.
            var completed = await ledger.WriteCompletionAsync(
                SqliteDatabase.Within(session, transaction), request.Lease, request.Completion, CancellationToken.None);
            outcomes.Add((completed, await ClaimAsync(session, transaction, request.WorkerId, request.Offered, CancellationToken.None)));
        }

        await transaction.CommitAsync(CancellationToken.None);
        return outcomes;
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

    /// <summary>One worker's completion and next claim, waiting for a turn at the write lock, its own or another's.</summary>
    private sealed record TurnRequest(JobLease Lease, JobCompletion Completion, bool Requeue, string WorkerId, string Offered)
    {
        public TaskCompletionSource<(bool Completed, JobLease? Next)> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Cancelled once another turn has served the request, to call off its own wait for the write turn.</summary>
        public CancellationTokenSource Served { get; } = new();
    }
}
