using System.Data.Common;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Claims queued jobs out of PostgreSQL for workers: each claim one statement that skips rows other workers are
/// claiming, by priority and then age. A job of a repository with a limit of running jobs is claimed in a short
/// transaction that holds the repository's turn, so that claims racing on other connections cannot together pass the
/// limit. A worker's completion and its next claim travel together, one batch in one round trip. The rest of a lease
/// (extending, completing, reclaiming) is the shared <see cref="LeaseLedger"/>'s.</summary>
internal sealed class PostgresJobClaim(PostgresDatabase database, IStoreEvents events, TimeProvider time, TimeSpan leaseDuration)
{
    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        cancellationToken.ThrowIfCancellationRequested();
        var claim = NewClaim(workerId, labels);
        var full = new List<string>();

        // Each turn either leases, finds nothing, or finds the best job in a repository with a limit and claims in that
        // repository under its lock; a repository found full is passed over on the next turn, so the turns end.
        while (true)
        {
            var found = await ClaimAsync(claim, [.. full]);

            if (found is not [var (leased, repository)])
            {
                return null;
            }

            if ((leased ?? await LeaseInRepositoryAsync(repository!, claim)) is { } taken)
            {
                events.StatusChanged();
                return claim.Lease(taken);
            }

            full.Add(repository!);
        }
    }

    /// <summary>Ends <paramref name="lease"/> and claims the next job in one batch: one round trip, one implicit transaction.
    /// When the best job waits on its repository's limit, that claim is made afterwards, as <see cref="TryLeaseAsync"/> makes it.</summary>
    public async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        var requeue = LeaseLedger.Requeues(lease, completion);
        ArgumentNullException.ThrowIfNull(labels);
        var claim = NewClaim(workerId, labels);
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresSql.PlanClaimByIndex));
        batch.BatchCommands.Add(Completion(lease, completion, requeue));
        batch.BatchCommands.Add(ClaimCommand(claim, []));

        // Sent whole, the batch is allowed to finish: a cancellation must not leave its outcome unknown.
        cancellationToken.ThrowIfCancellationRequested();
        bool completed;
        ((JobRecord Job, DateTimeOffset? QueuedAt, string? Trace)? Leased, string? Repository)? candidate = null;
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None))
        {
            await reader.NextResultAsync(CancellationToken.None);
            await reader.ReadAsync(CancellationToken.None);
            completed = reader.GetInt64(0) == 1;
            await reader.NextResultAsync(CancellationToken.None);
            if (await reader.ReadAsync(CancellationToken.None))
            {
                candidate = ReadCandidate(reader);
            }
        }

        await connection.CloseAsync();
        if (completed)
        {
            events.StatusChanged(jobQueued: requeue);
        }

        return candidate switch
        {
            null => (completed, null),
            ({ } taken, _) => (completed, Leased(claim, taken)),

            // The best job's repository has a limit: claimed under its turn, as any claim of it is.
            _ => (completed, await TryLeaseAsync(workerId, labels, CancellationToken.None)),
        };
    }

    /// <summary>Sends the claim after the planner settings it is planned under, one batch in one implicit transaction.</summary>
    private async Task<List<((JobRecord Job, DateTimeOffset? QueuedAt, string? Trace)? Leased, string? Repository)>> ClaimAsync(Claim claim, string[] excluded)
    {
        // A claim cancelled mid-flight might commit unseen and strand the job until its lease ran out, so once sent the
        // statement is allowed to finish.
        await using var connection = await database.Source.OpenConnectionAsync(CancellationToken.None);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresSql.PlanClaimByIndex));
        batch.BatchCommands.Add(ClaimCommand(claim, excluded));
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None);
        await reader.NextResultAsync(CancellationToken.None);
        return await reader.ReadAllAsync(ReadCandidate, CancellationToken.None);
    }

    private static NpgsqlBatchCommand ClaimCommand(Claim claim, string[] excluded)
    {
        var command = new NpgsqlBatchCommand(PostgresSql.LeaseNextJob);
        claim.Bind(command.Parameters);
        command.Parameters.AddWithValue("@excluded", excluded);
        return command;
    }

    private JobLease Leased(Claim claim, (JobRecord Job, DateTimeOffset? QueuedAt, string? Trace) taken)
    {
        events.StatusChanged();
        return claim.Lease(taken);
    }

    private Claim NewClaim(string workerId, IReadOnlyCollection<string> labels)
    {
        var now = time.GetUtcNow();
        return new Claim(Guid.NewGuid(), workerId, now, RecordRows.Truncate(now + leaseDuration), labels.ToArray());
    }

    private static NpgsqlBatchCommand Completion(JobLease lease, JobCompletion completion, bool requeue)
    {
        var command = new NpgsqlBatchCommand(requeue ? PostgresSql.RequeueLeaseKeepingAttempt : PostgresSql.CompleteLeaseKeepingAttempt);
        var parameters = command.Parameters;
        parameters.AddWithValue("@id", lease.JobId);
        parameters.AddWithValue("@lease", lease.LeaseId);
        parameters.AddWithValue("@attempt", lease.Attempt);
        parameters.AddWithValue("@worker", lease.WorkerId);
        parameters.AddWithValue("@attempt_status", (requeue ? JobStatus.Failed : completion.Status).ToWire());
        parameters.AddWithValue("@exit", (object?)completion.ExitCode ?? DBNull.Value);
        parameters.AddWithValue("@class", (object?)completion.FailureClass?.ToWire() ?? DBNull.Value);
        parameters.AddWithValue("@detail", (object?)completion.Detail ?? DBNull.Value);
        parameters.AddWithValue("@started", RecordRows.ToMillis(completion.StartedAt));
        parameters.AddWithValue("@finished", RecordRows.ToMillis(completion.FinishedAt));
        if (requeue)
        {
            parameters.AddWithValue("@retry", RecordRows.ToMillis(completion.RetryAt!.Value));
        }
        else
        {
            parameters.AddWithValue("@status", completion.Status.ToWire());
        }

        return command;
    }

    private Task<(JobRecord Job, DateTimeOffset? QueuedAt, string? Trace)?> LeaseInRepositoryAsync(string repository, Claim claim) =>
        database.InTransactionAsync(
            async transaction =>
            {
                await transaction.QueryAsync(PostgresSql.LockRepository, command => command.Bind("@key", repository), _ => 0, CancellationToken.None);
                var queued = await transaction.QueryAsync(
                    PostgresSql.QueuedAtOfRepositoryJob,
                    command => command.Bind("@now", RecordRows.ToMillis(claim.Now)).Bind("@labels", claim.Offered).Bind("@key", repository),
                    row => (row.GetInt64(0), row.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1))),
                    CancellationToken.None);
                var jobs = await transaction.QueryAsync(
                    PostgresSql.LeaseJobOfRepository,
                    command => claim.Bind(command).Bind("@key", repository),
                    row => (PostgresRows.Records.ReadJob(row), TraceOf(row)),
                    CancellationToken.None);
                return jobs is [var (leased, trace)]
                    ? (leased, queued is [var (id, at)] && id == leased.Id ? at : null, trace)
                    : ((JobRecord Job, DateTimeOffset? QueuedAt, string? Trace)?)null;
            },
            CancellationToken.None);

    // The job when it was leased at once; else the key of the repository whose limit it must be claimed under.
    private static ((JobRecord Job, DateTimeOffset? QueuedAt, string? Trace)? Leased, string? Repository) ReadCandidate(DbDataReader row) =>
        row.IsDBNull(0) ? (null, row.GetString(row.GetOrdinal("repository_key"))) : ((PostgresRows.Records.ReadJob(row), QueuedAtOf(row), TraceOf(row)), null);

    /// <summary>When the leased job was queued (or its back-off ended), from the claim's <c>queued_at</c> column.</summary>
    private static DateTimeOffset? QueuedAtOf(DbDataReader row)
    {
        var ordinal = row.GetOrdinal("queued_at");
        return row.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(ordinal));
    }

    /// <summary>The run's trace context, read with the claim.</summary>
    private static string? TraceOf(DbDataReader row)
    {
        var ordinal = row.GetOrdinal("trace_parent");
        return row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
    }

    /// <summary>One claim's lease id, holder, clock reading and offered labels, bound alike wherever it is sent.</summary>
    private sealed record Claim(Guid LeaseId, string WorkerId, DateTimeOffset Now, DateTimeOffset ExpiresAt, string[] Offered)
    {
        public DbCommand Bind(DbCommand command) => command
            .Bind("@lease", LeaseId)
            .Bind("@worker", WorkerId)
            .Bind("@now", RecordRows.ToMillis(Now))
            .Bind("@expires", RecordRows.ToMillis(ExpiresAt))
            .Bind("@labels", Offered);

        public void Bind(NpgsqlParameterCollection parameters)
        {
            parameters.AddWithValue("@lease", LeaseId);
            parameters.AddWithValue("@worker", WorkerId);
            parameters.AddWithValue("@now", RecordRows.ToMillis(Now));
            parameters.AddWithValue("@expires", RecordRows.ToMillis(ExpiresAt));
            parameters.AddWithValue("@labels", Offered);
        }

        public JobLease Lease((JobRecord Job, DateTimeOffset? QueuedAt, string? Trace) taken) =>
            new(taken.Job.Id, taken.Job.RunId, LeaseId, WorkerId, taken.Job.Attempt, ExpiresAt, taken.Job)
            {
                QueuedAt = taken.QueuedAt,
                TraceParent = taken.Trace,
            };
    }
}
