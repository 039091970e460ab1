using Cairn.Core.Engine;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>The server's own workers: a <see cref="WorkerPool"/> on the server's store. On shutdown it stops leasing,
/// lets running jobs finish within the grace period, then stops them.</summary>
internal sealed partial class WorkerPoolService(JobWorkerContext services, ServerSettings settings, ILogger<WorkerPoolService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Concurrency == 0)
        {
            LogNoWorkers(log);
            return;
        }

        var name = $"{Environment.MachineName}-{Environment.ProcessId}";
        var pool = new WorkerPool(services, new WorkerPoolOptions(name, settings.Concurrency, settings.Labels)
        {
            Heartbeat = settings.Heartbeat,
            Grace = settings.Grace,
        });
        pool.WorkerFaulted += (worker, error) => LogFaulted(log, worker, error.Message);
        pool.Draining += () => LogDraining(log, settings.Grace);
        await Task.Yield();
        await pool.RunAsync(stoppingToken, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "this server runs no jobs (concurrency 0): workers elsewhere take them")]
    private static partial void LogNoWorkers(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker {Worker} failed and starts again: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string worker, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: no new jobs; running jobs get {Grace} to finish")]
    private static partial void LogDraining(ILogger logger, TimeSpan grace);
}
