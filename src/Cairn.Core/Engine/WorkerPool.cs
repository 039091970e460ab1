namespace Cairn.Core.Engine;

/// <summary>How a pool of workers in one process runs: how many jobs at once, what they offer, how they pace
/// heartbeats and reaping, and how long running jobs get to finish when the process is asked to stop.</summary>
public sealed record WorkerPoolOptions(string Name, int Concurrency, IReadOnlyCollection<string> Labels)
{
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReapInterval { get; init; } = LeaseReaper.DefaultInterval;

    /// <summary>After a stop, how long running jobs may go on before they are cancelled.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a worker whose store failed waits before it tries again.</summary>
    public TimeSpan FaultPause { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Runs <see cref="WorkerPoolOptions.Concurrency"/> workers (and a lease reaper, when given one) until stopped:
/// jobs still running when the grace period ends are stopped and handed back to the queue.
/// the body of <c>cairn worker</c>, and of a server's worker service. A worker whose store fails is started again
/// after a pause; a stop lets running jobs finish within the grace period, then cancels them, and every job's
/// outcome is still written.</summary>
public sealed class WorkerPool(JobWorkerContext services, WorkerPoolOptions options, LeaseReaper? reaper)
{
    /// <summary>Raised when a worker's loop failed (the store was unreachable, say) and is about to start again.</summary>
    public event Action<string, Exception>? WorkerFaulted;

    /// <summary>Raised once a stop was asked for: no new job is leased from now on.</summary>
    public event Action? Draining;

    /// <summary>The reaper this pool runs beside its workers; none for a worker over HTTP, whose server reaps.</summary>
    public LeaseReaper? Reaper => reaper;

    /// <summary>Runs until <paramref name="stopping"/>, then drains. <paramref name="abortNow"/> cancels running jobs
    /// at once, grace period or not.</summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abortNow)
    {
        using var aborting = CancellationTokenSource.CreateLinkedTokenSource(abortNow);
        var reaping = reaper?.RunAsync(options.ReapInterval, stopping) ?? Task.CompletedTask;
        var workers = Task.WhenAll(Enumerable.Range(1, Math.Max(1, options.Concurrency))
            .Select(i => SuperviseAsync($"{options.Name}-{i}", stopping, aborting.Token)));

        try
        {
            await workers.WaitAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        Draining?.Invoke();
        try
        {
            await workers.WaitAsync(options.Grace, services.Time, abortNow);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await aborting.CancelAsync();
        }

        await workers;
        await reaping;
    }

    private async Task SuperviseAsync(string workerId, CancellationToken stopping, CancellationToken aborting)
    {
        var worker = new JobWorker(services, new WorkerOptions(workerId, options.Labels) { Heartbeat = options.Heartbeat, ReleaseWhenAborted = true });
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await worker.RunAsync(stopping, aborting);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                WorkerFaulted?.Invoke(workerId, ex);
                try
                {
                    await Task.Delay(options.FaultPause, services.Time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
