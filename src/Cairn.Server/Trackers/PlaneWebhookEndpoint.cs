using System.Security.Cryptography;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Trackers;
using Cairn.Forges.Plane;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Services;
using Cairn.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary><c>POST /hooks/plane</c>: Plane's webhooks. The body is taken in with the forges' limits
/// (<see cref="WebhookIntake"/>), its signature checked against every Plane tracker's secret, each check taking the same
/// time whatever matches (with a secret nobody has when there is no tracker), and a delivery no secret signs is refused
/// with 401. A verified delivery is journaled (source <c>plane</c>, its <c>event_id</c> or its body's hash as the
/// delivery id, under the tracker's repository) and answered 2xx at once, even when it cannot be read: Plane does not
/// send a delivery again after an error, so the journal keeps what came and why nothing follows. Events of other
/// projects, Cairn's own comments and comments with no decision in them are journaled as ignored.</summary>
internal static partial class PlaneWebhookEndpoint
{
    public const string NotVerifiedDetail = "the delivery is not signed with the webhook secret of any Plane tracker";

    private static readonly string Decoy = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/plane", ReceiveAsync).WithName("ReceivePlaneWebhook").DisableAntiforgery().Open();
    }

    private static async Task<IResult> ReceiveAsync(
        HttpContext context, WebhookIntake intake, ITrackerStore trackers, IEventJournal journal, PlanningSignal planning,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var result = "error";
        try
        {
            var answer = await AnswerAsync(context, intake, trackers, journal, planning, time, loggers, cancellationToken);
            result = ResultOf(answer);
            return answer;
        }
        finally
        {
            Core.Telemetry.CairnMeasurements.WebhookDelivery("plane", result);
        }
    }

    /// <summary>The answer's <c>result</c> as <c>cairn_webhook_deliveries_total</c> counts it.</summary>
    private static string ResultOf(IResult answer) => answer switch
    {
        IValueHttpResult { Value: WebhookAnswer { Accepted: true } } => "accepted",
        IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized } => "rejected_signature",
        IStatusCodeHttpResult { StatusCode: StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge } => "rejected_body",
        IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests } => "busy",
        IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } => "ignored",
        _ => "error",
    };

    private static async Task<IResult> AnswerAsync(
        HttpContext context, WebhookIntake intake, ITrackerStore trackers, IEventJournal journal, PlanningSignal planning,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("Cairn.Webhooks.Plane");
        if (intake.RefuseByLength(context) is { } tooLong)
        {
            return tooLong;
        }

        if (!await intake.EnterAsync(cancellationToken))
        {
            return WebhookIntake.Busy(context);
        }

        try
        {
            var (body, refusal) = await intake.ReadAsync(context, cancellationToken);
            if (body is null)
            {
                return refusal!;
            }

            using (body)
            {
                var delivery = new WebhookRequest(
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    body.Bytes);
                return await JournalAsync(delivery, trackers, journal, planning, time, log, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        finally
        {
            intake.Leave();
        }
    }

    private static async Task<IResult> JournalAsync(
        WebhookRequest delivery, ITrackerStore trackers, IEventJournal journal, PlanningSignal planning, TimeProvider time, ILogger log,
        CancellationToken cancellationToken)
    {
        var planes = (await trackers.GetTrackersAsync(cancellationToken)).Where(t => t.Kind == "plane").ToList();
        var signedBy = new List<TrackerRecord>();
        if (planes.Count == 0)
        {
            PlaneWebhook.Verify(delivery, Decoy);
        }

        // Every secret is tried, so that the time taken says nothing of which one (if any) matched.
        foreach (var tracker in planes)
        {
            var secret = (await trackers.GetTrackerSecretsAsync(tracker.Id, cancellationToken))?.WebhookSecret;
            if (PlaneWebhook.Verify(delivery, secret ?? Decoy) && secret is not null)
            {
                signedBy.Add(tracker);
            }
        }

        if (signedBy.Count == 0)
        {
            LogRejected(log, planes.Count);
            return Problems.Unauthorized(NotVerifiedDetail);
        }

        PlaneDelivery? parsed = null;
        string? unreadable = null;
        try
        {
            parsed = PlaneWebhook.Parse(delivery);
        }
        catch (WebhookFormatException ex)
        {
            unreadable = ex.Message;
        }

        // One webhook may serve several projects: the tracker of the delivery's project, else the first that signed it.
        var chosen = signedBy.FirstOrDefault(t => parsed?.ProjectId is { } project && t.Project == project) ?? signedBy[0];
        var (state, detail) = parsed is null ? (EventState.Failed, $"the delivery cannot be read: {unreadable}")
            : await TriageAsync(parsed, chosen, trackers, cancellationToken);
        var entry = new NewJournalEntry(
            PlaneEntry.Source,
            parsed?.DedupeKey ?? PlaneWebhook.BodyKey(delivery.Body.Span),
            chosen.Repository,
            parsed?.Event ?? "unreadable",
            parsed is null ? "" : PlaneEntry.Of(chosen.Id, parsed).ToJson(),
            time.GetUtcNow(),
            state,
            detail);
        var journaled = await journal.AppendEventAsync(entry, cancellationToken);
        if (journaled.Duplicate)
        {
            return Results.Ok(new WebhookAnswer(false, true, journaled.Entry.Id, null));
        }

        if (state == EventState.Pending)
        {
            planning.Wake();
            return Results.Accepted($"/api/v1/events/{journaled.Entry.Id}", new WebhookAnswer(true, false, journaled.Entry.Id, null));
        }

        return Results.Accepted(value: new WebhookAnswer(false, false, journaled.Entry.Id, detail));
    }

    /// <summary>Whether the delivery is for the planner, or why not.</summary>
    private static async Task<(EventState State, string? Detail)> TriageAsync(
        PlaneDelivery delivery, TrackerRecord tracker, ITrackerStore trackers, CancellationToken cancellationToken)
    {
        if (delivery.ProjectId is { } project && project != tracker.Project)
        {
            return (EventState.Ignored, $"the work item is of another project ({project})");
        }

        if (delivery.Event == PlaneDelivery.CommentCreated && delivery.Comment is { } comment)
        {
            if ((tracker.BotUser is { } bot && comment.Actor == bot) || await trackers.IsOwnCommentAsync(tracker.Id, comment.Id, cancellationToken))
            {
                return (EventState.Ignored, "a comment Cairn posted");
            }

            return GateWords.Decision(comment.Text) is null
                ? (EventState.Ignored, "a comment without :approved: or :rejected:")
                : (EventState.Pending, null);
        }

        return delivery.IsWorkItemChange
            ? (EventState.Pending, null)
            : (EventState.Ignored, $"{delivery.Event} starts nothing");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plane webhook rejected: no signature of the {Count} Plane trackers matches")]
    private static partial void LogRejected(ILogger logger, int count);
}
