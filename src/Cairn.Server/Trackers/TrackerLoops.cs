using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary>Starts what the trackers run beside the planner, once, when the planner of Plane's deliveries is made (at
/// the server's start, with the event planner): the comment outbox's delivery (<see cref="TrackerCommentDelivery"/>),
/// stopped when the server stops, and the listener that tells a work item its run finished
/// (<see cref="RunCoordinator.RunFinished"/>, queued off the coordinator's path).</summary>
internal sealed partial class TrackerLoops(
    RunCoordinator coordinator, IWorkItemNotifier notifier, TrackerCommentDelivery delivery, IHostApplicationLifetime lifetime, ILogger<TrackerLoops> log)
{
    private int _started;

    /// <summary>Starts the loops unless they are started already.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        coordinator.RunFinished += OnFinished;
        _ = delivery.StartAsync(CancellationToken.None);
        lifetime.ApplicationStopping.Register(() =>
        {
            coordinator.RunFinished -= OnFinished;
            delivery.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        });
    }

    private void OnFinished(RunRecord run)
    {
        if (run.Trigger?.WorkItem is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await notifier.RunFinishedAsync(run, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailed(log, run.Id, ex.Message);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the finish of run {RunId} could not be told to its work item: {Reason}")]
    private static partial void LogFailed(ILogger logger, long runId, string reason);
}
