namespace Cairn.Storage.Signals;

/// <summary>Wakes the heartbeats of this process whose job belongs to a run that was just asked to cancel.</summary>
internal sealed class CancelSignal(TimeProvider time)
{
    private readonly Dictionary<long, List<TaskCompletionSource>> _waiters = [];

    public void Pulse(long runId)
    {
        List<TaskCompletionSource>? woken;
        lock (_waiters)
        {
            if (!_waiters.Remove(runId, out woken))
            {
                return;
            }
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Every waiter wakes: for when requests may have gone unheard (a listener's connection was down).</summary>
    public void PulseAll()
    {
        List<TaskCompletionSource> woken;
        lock (_waiters)
        {
            woken = [.. _waiters.Values.SelectMany(w => w)];
            _waiters.Clear();
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Returns on a pulse for <paramref name="runId"/> or after <paramref name="maxWait"/>. The waiter is in place
    /// when this method returns its task, so a pulse from then on is not missed.</summary>
    public async Task WaitAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (!_waiters.TryGetValue(runId, out var list))
            {
                _waiters[runId] = list = [];
            }

            list.Add(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(maxWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // No request came within the heartbeat's interval: time for an ordinary beat.
        }
        finally
        {
            Forget(runId, waiter);
        }
    }

    private void Forget(long runId, TaskCompletionSource waiter)
    {
        lock (_waiters)
        {
            if (_waiters.TryGetValue(runId, out var list) && list.Remove(waiter) && list.Count == 0)
            {
                _waiters.Remove(runId);
            }
        }
    }
}
