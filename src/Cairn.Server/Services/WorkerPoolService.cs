using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Server.Hosting;
using Cairn.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>The server's own workers: a <see cref="WorkerPool"/> on the server's store, with the lease reaper. On shutdown
/// it stops leasing, lets running jobs finish within the grace period, then stops them. With concurrency 0 it runs no
/// job but still reaps: the leases of workers elsewhere (over HTTP or on the store) expire here when they die.</summary>
internal sealed partial class WorkerPoolService(
    JobWorkerContext services, ICairnStore store, RunCoordinator coordinator, ServerSettings settings, ILogger<WorkerPoolService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reaper = new LeaseReaper(store, store, coordinator, services.Retry, services.Time);
        reaper.Reaped += (lease, completion) => LogReaped(log, lease.JobId, lease.WorkerId, completion.RetryAt is null ? "failed" : "queued again");
        if (settings.Concurrency == 0)
        {
            LogNoWorkers(log);
            await Task.Yield();
            await reaper.RunAsync(LeaseReaper.DefaultInterval, stoppingToken);
            return;
        }

        var name = $"{Environment.MachineName}-{Environment.ProcessId}";
        var pool = new WorkerPool(services, new WorkerPoolOptions(name, settings.Concurrency, WorkerLabels.OfServer(settings.Labels))
        {
            Heartbeat = settings.Heartbeat,
            Grace = settings.Grace,
        }, reaper);
        pool.WorkerFaulted += (worker, error) => LogFaulted(log, worker, error.Message);
        pool.Draining += () => LogDraining(log, settings.Grace);
        await Task.Yield();
        await pool.RunAsync(stoppingToken, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "this server runs no jobs (concurrency 0): workers elsewhere take them; it still reaps their expired leases")]
    private static partial void LogNoWorkers(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker {Worker} failed and starts again: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string worker, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: no new jobs; running jobs get {Grace} to finish")]
    private static partial void LogDraining(ILogger logger, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}'s lease held by {Worker} expired: {Outcome}")]
    private static partial void LogReaped(ILogger logger, long jobId, string worker, string outcome);
}
