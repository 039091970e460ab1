namespace Cairn.Storage.Signals;

/// <summary>Tells everyone waiting in this process that runs or jobs changed status: a broadcast, unlike
/// <see cref="WorkSignal"/>, since every reader of the change feed wants to know.</summary>
/// <remarks>A waiter takes <see cref="Next"/> before it looks at the feed, so a change made between its look and its
/// wait still ends the wait.</remarks>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse after it was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
