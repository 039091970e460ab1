using Cairn.Core.Runs;
using Cairn.Storage.Signals;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Streaming;

/// <summary>Reads the store's change feed for the streams of this process, from where it stands at start, and wakes the
/// watchers of each run and job that changed: one reader, however many streams are open.</summary>
/// <remarks>A watcher always looks at the store itself after it starts watching; this only tells it when to look again.
/// Should the reader fall behind or fail, streams still look at their own pace (their keep-alive interval).</remarks>
internal sealed partial class ChangeWatch(IRunStore runs, IRunFeeds feeds, TimeProvider time, ILogger<ChangeWatch> log) : BackgroundService
{
    private const int Page = 500;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AfterFault = TimeSpan.FromSeconds(2);

    private readonly KeyedSignal _runs = new();
    private readonly KeyedSignal _jobs = new();

    /// <summary>Wakes at the next change of the run or of any of its jobs.</summary>
    public KeyedSignal.Watcher WatchRun(long runId) => _runs.Enter(runId);

    /// <summary>Wakes at the job's next change of status.</summary>
    public KeyedSignal.Watcher WatchJob(long jobId) => _jobs.Enter(jobId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        long? cursor = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (cursor is not { } after)
                {
                    cursor = await feeds.GetLatestChangeIdAsync(stoppingToken);

                    // What changed before the position was taken went unannounced: let every watcher look once.
                    WakeAll();
                    continue;
                }

                var changes = await runs.ReadChangesAsync(after, null, Page, stoppingToken);
                if (changes.Count == 0)
                {
                    await runs.WaitForChangesAsync(after, Idle, stoppingToken);
                    continue;
                }

                foreach (var change in changes)
                {
                    _runs.Wake(change.RunId);
                    if (change.JobId is { } jobId)
                    {
                        _jobs.Wake(jobId);
                    }
                }

                cursor = changes[^1].Id;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFault(log, ex.Message);
                WakeAll();
                await Task.Delay(AfterFault, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void WakeAll()
    {
        _runs.WakeAll();
        _jobs.WakeAll();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the change feed could not be read for live streams, trying again: {Reason}")]
    private static partial void LogFault(ILogger logger, string reason);
}
