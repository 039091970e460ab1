using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary>Tells a work item that the run it started finished: listens to <see cref="RunCoordinator.RunFinished"/> while
/// the server runs and queues the comment off the coordinator's path.</summary>
internal sealed partial class RunFinishedComments(RunCoordinator coordinator, IWorkItemNotifier notifier, ILogger<RunFinishedComments> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        coordinator.RunFinished += OnFinished;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        coordinator.RunFinished -= OnFinished;
        return Task.CompletedTask;
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
