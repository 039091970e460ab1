using Cairn.Storage.Signals;

namespace Cairn.Storage.Portable;

/// <summary>What a store does once a change others may be waiting for is committed: wake the waiters of this process
/// and, where the database can tell them, those of other processes.</summary>
internal interface IStoreEvents
{
    /// <summary>A run or job changed status: the change feed has something new. <paramref name="jobQueued"/>: the change
    /// made a job queued (released, or back for a retry), so idle workers have something to lease.</summary>
    void StatusChanged(bool jobQueued = false);

    /// <summary>The run was asked to cancel: heartbeats of its jobs should look at once.</summary>
    Task CancelRequestedAsync(long runId, CancellationToken cancellationToken);
}
