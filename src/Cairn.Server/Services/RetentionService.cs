using Cairn.Core.Pipelines;
using Cairn.Core.Runs;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>How often <see cref="RetentionService"/> looks for runs (and dashboard sessions) to remove.</summary>
internal sealed record RetentionSweep(TimeSpan Interval);

/// <summary>Removes runs that ended longer ago than the retention setting, with their jobs, steps, log lines and changes:
/// at start, then every sweep interval. It removes a small batch per transaction with a pause between, and makes the batch
/// smaller when one takes long, so that the store's writers (on SQLite, every writer) never wait long behind it. Each pass
/// then expires artifacts, evicts caches and deletes their blobs (<see cref="ArtifactSweep"/>).</summary>
internal sealed partial class RetentionService(
    IRunRetention runs, Core.Access.ISessionStore sessions, ServerSettings settings, RetentionSweep sweep, TimeProvider time,
    ILogger<RetentionService> log, ArtifactSweep artifacts) : BackgroundService
{
    public const int MaxBatch = 100;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SlowBatch = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan QuickBatch = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var retention = settings.Retention;
        var kept = retention is { } days ? Duration.Format(days) : "";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                if (retention is { } keep && await SweepAsync(now - keep, stoppingToken) is var removed and > 0)
                {
                    LogRemoved(log, removed, kept);
                }

                // Sessions past their absolute limit, or ended that long ago, open nothing: forget them.
                await sessions.DeleteSessionsBeforeAsync(now - settings.SessionLifetime, stoppingToken);

                // After the runs: the blobs of the artifacts they took with them are queued by then.
                await artifacts.SweepAsync(stoppingToken);

                await Task.Delay(sweep.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFault(log, ex.Message);
                await Task.Delay(sweep.Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Removes every run that ended before <paramref name="before"/>, a batch at a time; answers how many.</summary>
    public async Task<int> SweepAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var batch = MaxBatch;
        var total = 0;
        while (true)
        {
            var started = time.GetTimestamp();
            var removed = await runs.DeleteRunsFinishedBeforeAsync(before, batch, cancellationToken);
            total += removed;
            if (removed < batch)
            {
                return total;
            }

            var took = time.GetElapsedTime(started);
            batch = took > SlowBatch ? Math.Max(1, batch / 2) : took < QuickBatch ? Math.Min(MaxBatch, batch * 2) : batch;
            await Task.Delay(Pause, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "removed {Count} runs that ended more than {Retention} ago")]
    private static partial void LogRemoved(ILogger logger, int count, string retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "old runs could not be removed, trying again later: {Reason}")]
    private static partial void LogFault(ILogger logger, string reason);
}
