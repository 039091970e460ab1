using Cairn.Storage.Signals;

namespace Cairn.Storage.Portable;

/// <summary>Wakes only this process's waiters: all a store on a file that one process uses needs.</summary>
internal sealed class LocalStoreEvents(StoreSignals signals) : IStoreEvents
{
    public void StatusChanged(bool jobQueued = false)
    {
        if (jobQueued)
        {
            signals.Work.Pulse();
        }

        signals.Changes.Pulse();
    }

    public Task CancelRequestedAsync(long runId, CancellationToken cancellationToken)
    {
        signals.Cancels.Pulse(runId);
        return Task.CompletedTask;
    }
}
