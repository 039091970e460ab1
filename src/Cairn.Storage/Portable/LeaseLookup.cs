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

    private const string LeaseOfOwner = $"""
        SELECT {RecordRows.JobColumns}, lease_id, lease_owner, lease_expires_at FROM jobs
        WHERE lease_owner = @owner AND status = 'running'
        ORDER BY id
        LIMIT 1;
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

    public async Task<JobAttemptRecord?> GetAttemptAsync(long jobId, int attempt, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync(
            Attempt, c => c.Bind("@job", jobId).Bind("@attempt", attempt), RecordRows.ReadAttempt, cancellationToken);
        return found is [var kept, ..] ? kept : null;
    }
}
