using System.Net;
using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary>Tells a work item what became of the run it started, as comments queued in the tracker's outbox (delivered by
/// <see cref="TrackerCommentDelivery"/>). Each comment's external id names the run and what it is about
/// (<c>cairn-run-R-started</c>, <c>cairn-run-R-gate-J</c>, <c>cairn-run-R-pr-N</c>, <c>cairn-run-R-finished</c>), so
/// telling twice queues once and Plane never shows it twice. Runs not started by a work item are passed over, and a
/// failure to queue is logged, never thrown.</summary>
internal sealed partial class PlaneNotifier(ITrackerStore trackers, ServerSettings settings, TrackerSignal signal, TimeProvider time, ILogger<PlaneNotifier> log)
    : IWorkItemNotifier
{
    public Task RunStartedAsync(RunRecord run, CancellationToken cancellationToken) =>
        QueueAsync(run, "started", $"<p>Cairn started {RunLink(run)} of <code>{Html(run.PipelineName)}</code> for this work item.</p>", cancellationToken);

    public Task GateWaitingAsync(RunRecord run, GateRecord gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return QueueAsync(
            run,
            $"gate-{gate.JobId}",
            $"<p>{RunLink(run)} waits for approval. Comment <code>:approved:</code> or <code>:rejected:</code> to decide (Cairn users only), or decide on the run's page.</p>",
            cancellationToken);
    }

    public Task PullRequestOpenedAsync(RunRecord run, PullRequestRecord pullRequest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        return QueueAsync(
            run,
            $"pr-{pullRequest.Number}",
            $"<p>{RunLink(run)} opened <a href=\"{Html(pullRequest.Url)}\">pull request #{pullRequest.Number}</a>{(pullRequest.Draft ? " (draft)" : "")}.</p>",
            cancellationToken);
    }

    public Task RunFinishedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return QueueAsync(run, "finished", $"<p>{RunLink(run)} finished: <strong>{Html(run.Status.ToString().ToLowerInvariant())}</strong>.</p>", cancellationToken);
    }

    private async Task QueueAsync(RunRecord run, string what, string html, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Trigger?.WorkItem is not { } item)
        {
            return;
        }

        try
        {
            if (await trackers.EnqueueCommentAsync(item.Tracker, item.Id, $"cairn-run-{run.Id}-{what}", html, time.GetUtcNow(), cancellationToken))
            {
                signal.Wake();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotQueued(log, what, run.Id, ex.Message);
        }
    }

    private string RunLink(RunRecord run) =>
        $"<a href=\"{Html(new Uri(settings.PublicUrl, $"runs/{run.Id}").ToString())}\">run #{run.Number}</a>";

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the work item's comment '{What}' of run {RunId} could not be queued: {Reason}")]
    private static partial void LogNotQueued(ILogger logger, string what, long runId, string reason);
}
