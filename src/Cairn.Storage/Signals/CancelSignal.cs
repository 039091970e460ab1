namespace Cairn.Storage.Signals;

/// <summary>Wakes the heartbeats of this process whose job belongs to a run that was just asked to cancel.</summary>
internal sealed class CancelSignal(TimeProvider time)
{
    private readonly KeyedSignal _runs = new();

    public void Pulse(long runId) => _runs.Wake(runId);

    /// <summary>Every waiter wakes: for when requests may have gone unheard (a listener's connection was down).</summary>
    public void PulseAll() => _runs.WakeAll();

    /// <summary>Returns on a pulse for <paramref name="runId"/> or after <paramref name="maxWait"/>. The waiter is in place
    /// when this method returns its task, so a pulse from then on is not missed. Cancelled, the task ends cancelled.</summary>
    public Task WaitAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        // Each job's heartbeat ends its wait by cancelling it: a continuation hands the cancelled task on as it is, where
        // an async method would throw and catch an exception for it once per job (and a timeout is no error either).
        var waiter = _runs.Enter(runId);
        return waiter.Woken.WaitAsync(maxWait, time, cancellationToken).ContinueWith(
            static (wait, state) =>
            {
                ((IDisposable)state!).Dispose();
                return wait.Exception?.InnerException is TimeoutException ? Task.CompletedTask : wait;
            },
            waiter,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }
}
