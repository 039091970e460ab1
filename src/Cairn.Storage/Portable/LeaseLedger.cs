using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>Extends, ends and finds the expired leases both dialects keep alike; claiming a job stays with each dialect.</summary>
/// <param name="leaseIdValue">The lease id as the dialect's lease_id column takes it.</param>
internal sealed class LeaseLedger(
    IStatementRunner database, RecordStatements sql, RecordRows rows, Func<Guid, object> leaseIdValue,
    IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
{
    public async Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var expiresAt = time.GetUtcNow() + leaseDuration;
        var held = await database.WriteReturningAsync(
            sql.ExtendLease,
            command => command
                .Bind("@id", lease.JobId)
                .Bind("@lease", leaseIdValue(lease.LeaseId))
                .Bind("@expires", RecordRows.ToMillis(expiresAt)),
            row => row.IsDBNull(0) ? LeaseState.Held : LeaseState.CancelRequested,
            cancellationToken);
        return held is [var state] ? state : LeaseState.Lost;
    }

    /// <exception cref="ArgumentException">The completion neither retries nor ends in a terminal status.</exception>
    public async Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken)
    {
        var requeue = Requeues(lease, completion);
        var ended = await database.InTransactionAsync(
            transaction => WriteCompletionAsync(transaction, lease, completion, cancellationToken), cancellationToken);
        if (ended)
        {
            Ended(requeue);
        }

        return ended;
    }

    /// <summary>Whether <paramref name="completion"/> sends the job back to the queue (a retry) rather than ending it.</summary>
    /// <exception cref="ArgumentException">The completion neither retries nor ends in a terminal status.</exception>
    public static bool Requeues(JobLease lease, JobCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);
        var requeue = completion.RetryAt is not null;
        if (!requeue && !completion.Status.IsTerminal())
        {
            throw new ArgumentException($"a lease ends in a terminal status or a retry, not '{completion.Status.ToWire()}'", nameof(completion));
        }

        var to = requeue ? JobStatus.Queued : completion.Status;
        if (!JobStatusTransitions.IsAllowed(JobStatus.Running, to))
        {
            throw new ArgumentException(JobStatusTransitions.Refusal(JobStatus.Running, to), nameof(completion));
        }

        return requeue;
    }

    /// <summary>Ends the lease inside <paramref name="transaction"/>, compare-and-set on (job id, lease id), keeping the
    /// attempt; false, and nothing written, when the lease was no longer the job's. The caller commits, then calls
    /// <see cref="Ended"/>.</summary>
    public async Task<bool> WriteCompletionAsync(
        IStatementRunner transaction, JobLease lease, JobCompletion completion, CancellationToken cancellationToken)
    {
        var requeue = Requeues(lease, completion);
        if (!await WriteLeaseAsync(transaction, requeue ? sql.RequeueLease : sql.CompleteLease, lease, command =>
            {
                BindOutcome(command, completion);
                if (requeue)
                {
                    command.Bind("@retry", RecordRows.ToMillis(completion.RetryAt));
                }
                else
                {
                    command.Bind("@status", completion.Status.ToWire());
                }
            }, cancellationToken))
        {
            return false;
        }

        // The attempt is kept with the move that ends it, so the history has every attempt the jobs row ever showed.
        await transaction.ExecuteAsync(
            PortableSql.InsertAttempt,
            command =>
            {
                BindOutcome(command, completion);
                command
                    .Bind("@id", lease.JobId)
                    .Bind("@attempt", lease.Attempt)
                    .Bind("@status", (requeue ? JobStatus.Failed : completion.Status).ToWire())
                    .Bind("@worker", lease.WorkerId)
                    .Bind("@lease", leaseIdValue(lease.LeaseId));
            },
            cancellationToken);
        return true;
    }

    /// <summary>Wakes whoever waits for an ended lease's change, once it is committed; with <paramref name="requeue"/>, idle
    /// workers too.</summary>
    public void Ended(bool requeue) => events.StatusChanged(jobQueued: requeue);

    public async Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            sql.ExpiredLeases,
            command => command.Bind("@now", RecordRows.ToMillis(time.GetUtcNow())).Bind("@limit", limit),
            rows.ReadExpiredLease,
            cancellationToken);

    private static void BindOutcome(System.Data.Common.DbCommand command, JobCompletion completion) => command
        .Bind("@exit", completion.ExitCode)
        .Bind("@class", completion.FailureClass?.ToWire())
        .Bind("@detail", completion.Detail)
        .Bind("@started", RecordRows.ToMillis(completion.StartedAt))
        .Bind("@finished", RecordRows.ToMillis(completion.FinishedAt));

    private async Task<bool> WriteLeaseAsync(
        IStatementRunner runner, string statement, JobLease lease, Action<System.Data.Common.DbCommand> bind, CancellationToken cancellationToken)
    {
        var changed = await runner.ExecuteAsync(
            statement,
            command =>
            {
                command.Bind("@id", lease.JobId).Bind("@lease", leaseIdValue(lease.LeaseId));
                bind(command);
            },
            cancellationToken);
        return changed == 1;
    }
}
