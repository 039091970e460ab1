namespace Cairn.Core.Runs;

/// <summary>Finds a lease by its id or by its owner, and the attempt a lease ended with: what a server needs to answer a
/// worker that calls about a lease it holds (or held) over HTTP.</summary>
public interface ILeaseRecords
{
    /// <summary>The lease with this id: its job's while it runs, else the attempt it ended with; null when no job ever had
    /// it (or the attempt was written before attempts kept their lease).</summary>
    Task<LeaseRecord?> GetLeaseAsync(Guid leaseId, CancellationToken cancellationToken);

    /// <summary>The running job leased to exactly <paramref name="owner"/>, oldest lease first; null when none.</summary>
    Task<JobLease?> FindLeaseOfOwnerAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The kept attempt <paramref name="attempt"/> of a job; null while it runs or when none was kept.</summary>
    Task<JobAttemptRecord?> GetAttemptAsync(long jobId, int attempt, CancellationToken cancellationToken);
}

/// <summary>A lease as the store finds it by id.</summary>
/// <param name="Owner">The worker that leased the job (<c>NAME/INSTANCE/SLOT</c> for a worker over HTTP).</param>
/// <param name="ExpiresAt">When the lease runs out unless extended; null once it has ended.</param>
/// <param name="Running">Whether the lease is still the job's: false once it ended, was reaped, or the job was leased
/// again.</param>
public sealed record LeaseRecord(Guid LeaseId, long JobId, long RunId, string? Owner, int Attempt, DateTimeOffset? ExpiresAt, bool Running);
