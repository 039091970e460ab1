namespace Cairn.Storage.Signals;

/// <summary>Wakes idle workers of this process when a job becomes queued.</summary>
/// <remarks>
/// A counting signal rather than a broadcast: every pulse leaves a permit until some waiter takes it, so a job
/// queued between a worker's empty lease attempt and its wait is never missed. A permit whose job another worker
/// already took only costs one more empty lease attempt; the cap keeps those few when workers are all busy.
/// </remarks>
internal sealed class WorkSignal(TimeProvider time) : IDisposable
{
    private const int MaxPendingPulses = 64;

    private readonly SemaphoreSlim _permits = new(0);

    public void Pulse()
    {
        if (_permits.CurrentCount < MaxPendingPulses)
        {
            _permits.Release();
        }
    }

    /// <summary>Returns on a pulse or after <paramref name="maxWait"/>; throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (_permits.Wait(0, CancellationToken.None))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(maxWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _permits.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The safety-net poll interval passed with no pulse.
        }
    }

    public void Dispose() => _permits.Dispose();
}
