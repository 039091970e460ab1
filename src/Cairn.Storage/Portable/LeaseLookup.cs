using System.Globalization;
using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>The lease reads of <see cref="ILeaseRecords"/> in SQL both dialects run as written.</summary>
/// <param name="leaseIdValue">The lease id as the dialect's lease_id columns take it.</param>
internal sealed class LeaseLookup(IStatementRunner database, RecordRows rows, Func<Guid, object> leaseIdValue)
{
    private const string RunningLease = """
        SELECT id, run_id, lease_owner, attempt, lease_expires_at FROM jobs
        WHERE lease_id = @lease AND status = 'running';
        """;

    private const string EndedLease = """
        SELECT job_attempts.job_id, jobs.run_id, job_attempts.worker, job_attempts.attempt FROM job_attempts
        JOIN jobs ON jobs.id = job_attempts.job_id
        WHERE job_attempts.lease_id = @lease;
        """;

    internal const string LeaseOfOwner = $"""
        SELECT {RecordRows.JobColumns}, lease_id, lease_owner, lease_expires_at FROM jobs
        WHERE lease_owner = @owner AND status = 'running'
        ORDER BY id
        LIMIT 1;
        """;

    // Compared on the lease: a holder whose lease has passed on writes nothing.
    private const string SetPendingReason = """
        UPDATE jobs SET pending_reason = @reason
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    private const string Attempt = $"""
        SELECT {RecordRows.AttemptColumns} FROM job_attempts WHERE job_id = @job AND attempt = @attempt;
        """;

    public async Task<LeaseRecord?> GetLeaseAsync(Guid leaseId, CancellationToken cancellationToken)
    {
        var running = await database.QueryAsync(
            RunningLease,
            c => c.Bind("@lease", leaseIdValue(leaseId)),
            row => new LeaseRecord(
                leaseId, row.GetInt64(0), row.GetInt64(1), row.IsDBNull(2) ? null : row.GetString(2), row.GetInt32(3),
                row.IsDBNull(4) ? null : RecordRows.FromMillis(row.GetInt64(4)), Running: true),
            cancellationToken);
        if (running is [var held, ..])
        {
            return held;
        }

        var ended = await database.QueryAsync(
            EndedLease,
            c => c.Bind("@lease", leaseIdValue(leaseId)),
            row => new LeaseRecord(
                leaseId, row.GetInt64(0), row.GetInt64(1), row.IsDBNull(2) ? null : row.GetString(2), row.GetInt32(3), null, Running: false),
            cancellationToken);
        return ended is [var gone, ..] ? gone : null;
    }

    public async Task<JobLease?> FindLeaseOfOwnerAsync(string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var found = await database.QueryAsync(LeaseOfOwner, c => c.Bind("@owner", owner), rows.ReadExpiredLease, cancellationToken);
        return found is [var lease, ..] ? lease : null;
    }

    public async Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            SetPendingReason,
            c => c.Bind("@id", jobId).Bind("@lease", leaseIdValue(leaseId)).Bind("@reason", reason),
            cancellationToken) > 0;

    /// <summary>One query for the whole batch: the ids among <paramref name="leaseIds"/> that hold a running job.</summary>
    public async Task<IReadOnlySet<Guid>> LiveAsync(IReadOnlyCollection<Guid> leaseIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leaseIds);
        var asked = leaseIds.Distinct().ToList();
        if (asked.Count == 0)
        {
            return new HashSet<Guid>();
        }

        var names = string.Join(", ", asked.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"@l{i}")));
        var live = await database.QueryAsync(
            $"SELECT lease_id FROM jobs WHERE status = 'running' AND lease_id IN ({names});",
            c =>
            {
                for (var i = 0; i < asked.Count; i++)
                {
                    c.Bind(string.Create(CultureInfo.InvariantCulture, $"@l{i}"), leaseIdValue(asked[i]));
                }
            },
            row => rows.ReadLeaseId(row, 0),
            cancellationToken);
        return live.ToHashSet();
    }

    public async Task<JobAttemptRecord?> GetAttemptAsync(long jobId, int attempt, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync(
            Attempt, c => c.Bind("@job", jobId).Bind("@attempt", attempt), RecordRows.ReadAttempt, cancellationToken);
        return found is [var kept, ..] ? kept : null;
    }
}
