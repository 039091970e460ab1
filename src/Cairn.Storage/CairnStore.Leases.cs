using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>Leases found by id and by owner, for a server's workers over HTTP; which leases still live; and why a leased
/// job waits on its executor.</summary>
public abstract partial class CairnStore
{
    private readonly LeaseLookup _leaseLookup;

    public Task<LeaseRecord?> GetLeaseAsync(Guid leaseId, CancellationToken cancellationToken) =>
        _leaseLookup.GetLeaseAsync(leaseId, cancellationToken);

    public Task<JobLease?> FindLeaseOfOwnerAsync(string owner, CancellationToken cancellationToken) =>
        _leaseLookup.FindLeaseOfOwnerAsync(owner, cancellationToken);

    /// <summary>Writes why the job waits on its executor, while <paramref name="leaseId"/> still holds it; false when it does not.</summary>
    public Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken) =>
        _leaseLookup.SetPendingReasonAsync(jobId, leaseId, reason, cancellationToken);

    public Task<IReadOnlySet<Guid>> LiveAsync(IReadOnlyCollection<Guid> leaseIds, CancellationToken cancellationToken) =>
        _leaseLookup.LiveAsync(leaseIds, cancellationToken);

    public Task<JobAttemptRecord?> GetAttemptAsync(long jobId, int attempt, CancellationToken cancellationToken) =>
        _leaseLookup.GetAttemptAsync(jobId, attempt, cancellationToken);
}
