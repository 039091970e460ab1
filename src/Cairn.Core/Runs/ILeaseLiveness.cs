namespace Cairn.Core.Runs;

/// <summary>Which of some leases still hold their job: what a janitor asks before it removes what a lease left (a pod,
/// a Secret) after its worker died.</summary>
public interface ILeaseLiveness
{
    /// <summary>The ids among <paramref name="leaseIds"/> whose lease is still its job's (running, not reaped, not ended).</summary>
    Task<IReadOnlySet<Guid>> LiveAsync(IReadOnlyCollection<Guid> leaseIds, CancellationToken cancellationToken);
}
