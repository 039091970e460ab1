namespace Cairn.Storage.Signals;

/// <summary>Wakes the heartbeats of this process whose job belongs to a run that was just asked to cancel.</summary>
internal sealed class CancelSignal(TimeProvider time)
{
    private readonly KeyedSignal _runs = new();

    public void Pulse(long runId) => _runs.Wake(runId);

    /// <summary>Every waiter wakes: for when requests may have gone unheard (a listener's connection was down).</summary>
    public void PulseAll() => _runs.WakeAll();

    /// <summary>Returns on a pulse for <paramref name="runId"/> or after <paramref name="maxWait"/>. The waiter is in place
    /// when this method returns its task, so a pulse from then on is not missed.</summary>
    public async Task WaitAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var waiter = _runs.Enter(runId);
        try
        {
            await waiter.Woken.WaitAsync(maxWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // No request came within the heartbeat's interval: time for an ordinary beat.
        }
    }
}
