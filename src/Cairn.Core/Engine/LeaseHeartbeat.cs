using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Extends a job's lease on a timer while the job runs. When the lease turns out to be gone (reclaimed
/// after this worker stalled), it cancels the job: another worker owns it now.</summary>
internal sealed class LeaseHeartbeat : IAsyncDisposable
{
    private readonly IJobQueue _queue;
    private readonly JobLease _lease;
    private readonly CancellationTokenSource _onLost;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseHeartbeat(IJobQueue queue, JobLease lease, TimeSpan interval, TimeProvider time, CancellationTokenSource onLost)
    {
        _queue = queue;
        _lease = lease;
        _onLost = onLost;
        _loop = BeatAsync(interval, time);
    }

    public bool Lost { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task BeatAsync(TimeSpan interval, TimeProvider time)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                bool extended;
                try
                {
                    extended = await _queue.ExtendAsync(_lease, _stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store hiccup is not a lost lease; the next beat tries again before the lease runs out.
                    continue;
                }

                if (!extended)
                {
                    Lost = true;
                    await _onLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
