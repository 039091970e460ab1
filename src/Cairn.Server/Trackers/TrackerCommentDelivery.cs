using Cairn.Core.Trackers;
using Cairn.Server.Services;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary>Delivers the trackers' comment outbox. A comment Plane took (2xx) is delivered with its id kept, which is how
/// Cairn knows its own comments when their webhooks come back; a 409 means a comment with the same external id is there
/// already, so it is delivered too. 429, 5xx and no answer are tried again later (<see cref="PlanePlanning.CommentBackoff"/>);
/// any other answer gives the comment up with the reason kept. Replicas may both send a comment at the same moment:
/// Plane keeps one, as its external id is unique.</summary>
internal sealed partial class TrackerCommentDelivery(
    ITrackerStore trackers, PlaneConnections connections, TrackerSignal signal, PlanePlanning planning, TimeProvider time, ILogger<TrackerCommentDelivery> log)
    : LoopingService("tracker comment delivery", Poll, time, log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        var due = await trackers.GetDueCommentsAsync(Time.GetUtcNow(), 16, stoppingToken);
        foreach (var comment in due)
        {
            await SendAsync(comment, stoppingToken);
        }

        if (due.Count == 0)
        {
            await signal.WaitAsync(Poll, Time, stoppingToken);
        }
    }

    private async Task SendAsync(TrackerComment comment, CancellationToken cancellationToken)
    {
        var tracker = await trackers.GetTrackerAsync(comment.Tracker, cancellationToken);
        var client = tracker is null ? null : await connections.ClientAsync(tracker, cancellationToken);
        if (tracker is null || client is null)
        {
            await trackers.MarkCommentFailedAsync(comment.Id, "the tracker was removed or its API key no longer opens", null, cancellationToken);
            return;
        }

        var result = await client.PostCommentAsync(tracker.Project, comment.WorkItem, comment.ExternalId, comment.Html, cancellationToken);
        if (result.Posted)
        {
            await trackers.MarkCommentDeliveredAsync(comment.Id, result.Id, Time.GetUtcNow(), cancellationToken);
            return;
        }

        var error = result.Error ?? "not posted";
        if (result.Retry)
        {
            var next = Time.GetUtcNow() + planning.CommentBackoff(comment.Attempts);
            LogRetry(log, comment.ExternalId, error, next);
            await trackers.MarkCommentFailedAsync(comment.Id, error, next, cancellationToken);
        }
        else
        {
            LogGivenUp(log, comment.ExternalId, error);
            await trackers.MarkCommentFailedAsync(comment.Id, error, null, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "comment {ExternalId} not posted ({Reason}); next attempt at {Next}")]
    private static partial void LogRetry(ILogger logger, string externalId, string reason, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "comment {ExternalId} refused by the tracker and given up: {Reason}")]
    private static partial void LogGivenUp(ILogger logger, string externalId, string reason);
}
