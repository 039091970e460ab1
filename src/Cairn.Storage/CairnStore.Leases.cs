using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>Leases found by id and by owner, for a server's workers over HTTP.</summary>
public abstract partial class CairnStore
{
    private readonly LeaseLookup _leaseLookup;

    public Task<LeaseRecord?> GetLeaseAsync(Guid leaseId, CancellationToken cancellationToken) =>
        _leaseLookup.GetLeaseAsync(leaseId, cancellationToken);

    public Task<JobLease?> FindLeaseOfOwnerAsync(string owner, CancellationToken cancellationToken) =>
        _leaseLookup.FindLeaseOfOwnerAsync(owner, cancellationToken);

    public Task<JobAttemptRecord?> GetAttemptAsync(long jobId, int attempt, CancellationToken cancellationToken) =>
        _leaseLookup.GetAttemptAsync(jobId, attempt, cancellationToken);
}
