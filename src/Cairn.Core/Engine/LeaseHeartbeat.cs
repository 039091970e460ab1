using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Extends a job's lease on a timer while the job runs, and stops the job when it must not go on: when the
/// lease turns out to be gone (reclaimed after this worker stalled; another worker owns it now), or when the job's run
/// was asked to cancel. A cancel request wakes it at once through the queue's signal, not only at the next beat.</summary>
internal sealed class LeaseHeartbeat : IAsyncDisposable
{
    private readonly IJobQueue _queue;
    private readonly JobLease _lease;
    private readonly CancellationTokenSource _stopJob;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _lost;
    private volatile bool _cancelRequested;

    public LeaseHeartbeat(IJobQueue queue, JobLease lease, TimeSpan interval, CancellationTokenSource stopJob)
    {
        _queue = queue;
        _lease = lease;
        _stopJob = stopJob;
        _loop = BeatAsync(interval);
    }

    /// <summary>The lease was found gone: the job was stopped and its outcome must not count.</summary>
    public bool Lost => _lost;

    /// <summary>The job's run was asked to cancel: the job was stopped.</summary>
    public bool CancelRequested => _cancelRequested;

    /// <summary>Stops the job for a cancel request found outside a beat (on the run, when the attempt began).</summary>
    public async Task StopForCancelAsync()
    {
        _cancelRequested = true;
        await _stopJob.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task BeatAsync(TimeSpan interval)
    {
        try
        {
            // Each wait begins before the beat it follows, so a cancel requested while a beat is under way still wakes the next.
            // The wait ends cancelled when the job ends, almost always before a beat: that is looked at rather than thrown.
            var wake = _queue.WaitForCancelRequestAsync(_lease.RunId, interval, _stop.Token);
            while (true)
            {
                await wake.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                await wake;
                wake = _queue.WaitForCancelRequestAsync(_lease.RunId, interval, _stop.Token);
                LeaseState state;
                try
                {
                    state = await _queue.ExtendAsync(_lease, _stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store hiccup is not a lost lease; the next beat tries again before the lease runs out.
                    continue;
                }

                if (state == LeaseState.Lost)
                {
                    _lost = true;
                    await _stopJob.CancelAsync();
                    return;
                }

                // The lease is still extended while the job stops: a slow stop must not look like a lost worker.
                if (state == LeaseState.CancelRequested && !_cancelRequested)
                {
                    await StopForCancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
