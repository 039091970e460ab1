namespace Cairn.Storage.Signals;

/// <summary>The wake-ups one store instance gives the waiters of its process: work for idle workers, changes for readers
/// of the change feed, cancel requests for heartbeats, appended lines for followers of a job's log.</summary>
internal sealed class StoreSignals(TimeProvider time) : IDisposable
{
    public WorkSignal Work { get; } = new(time);

    public ChangeSignal Changes { get; } = new();

    public CancelSignal Cancels { get; } = new(time);

    public KeyedSignal Logs { get; } = new();

    /// <summary>Wakes every kind of waiter once, for when news from other processes may have gone unheard.</summary>
    public void PulseAll()
    {
        Work.Pulse();
        Changes.Pulse();
        Cancels.PulseAll();
        Logs.WakeAll();
    }

    public void Dispose() => Work.Dispose();
}
