using System.Diagnostics;
using System.Security.Cryptography;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Core.Repositories;
using Cairn.Core.Telemetry;
using Cairn.Core.Triggers;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Webhooks;

/// <summary>What a webhook is answered with (besides errors, which are problem documents).</summary>
public sealed record WebhookAnswer(bool Accepted, bool Duplicate, long? EventId, string? Ignored);

/// <summary><c>POST /hooks/{forge}</c>: take the body in (see <see cref="WebhookIntake"/>), find the repository it names,
/// verify the signature over the raw bytes with that repository's own secret, and only then parse, journal and answer.
/// Planning happens afterwards from the journal, so the sender is answered in milliseconds and a crash between the
/// answer and the plan loses nothing. Nothing a sender controls can make this answer 500, and an unverified sender
/// learns nothing of which repositories exist.</summary>
internal static partial class WebhookEndpoint
{
    /// <summary>The one answer to a delivery that is not verified, whatever the reason: a repository that is not here, is
    /// another forge's, has no secret, or a signature that does not match.</summary>
    public const string NotVerifiedDetail = "the delivery is not signed with the webhook secret of the repository it names";

    /// <summary>Stands in for the secret of a repository that is not here, so that refusing the delivery takes what
    /// checking a signature takes.</summary>
    private static readonly string Decoy = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/{forge}", ReceiveAsync).WithName("ReceiveWebhook").DisableAntiforgery().Open();
    }

    private static async Task<IResult> ReceiveAsync(
        string forge, HttpContext context, WebhookIntake intake, IForgeDirectory forges, IRepositoryStore repositories,
        RepositorySecrets secrets, IEventJournal journal, PlanningSignal planning, TimeProvider time, ILoggerFactory loggers,
        IPullRequestStore pullRequests, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("Cairn.Webhooks");
        if (!ForgeNames.TryParse(forge, out var kind))
        {
            CairnMeasurements.WebhookDelivery("other", "rejected_unknown");
            return Problems.NotFound($"there is no forge '{forge}' (github, gitlab, gitea, bitbucket)");
        }

        // The root of the trace of the run this delivery may start; its context is journaled for the planning.
        using var span = RunTrace.StartRoot(CairnTelemetry.Spans.Webhook, ActivityKind.Server);
        span?.SetTag(CairnTelemetry.Attributes.Forge, kind.ToWire());
        var result = "error";
        try
        {
            var (answer, outcome) = await AnswerAsync(kind, context, intake, forges, repositories, secrets, journal, planning, time, log, pullRequests, cancellationToken);
            result = outcome;
            return answer;
        }
        finally
        {
            CairnMeasurements.WebhookDelivery(kind.ToWire(), result);
        }
    }

    /// <summary>The answer to the delivery, and its result as the metrics count it.</summary>
    private static async Task<(IResult Answer, string Result)> AnswerAsync(
        ForgeKind kind, HttpContext context, WebhookIntake intake, IForgeDirectory forges, IRepositoryStore repositories,
        RepositorySecrets secrets, IEventJournal journal, PlanningSignal planning, TimeProvider time, ILogger log,
        IPullRequestStore pullRequests, CancellationToken cancellationToken)
    {
        if (intake.RefuseByLength(context) is { } tooLong)
        {
            LogRefused(log, kind.ToWire(), "its Content-Length is over the limit");
            return (tooLong, "rejected_body");
        }

        if (!await intake.EnterAsync(cancellationToken))
        {
            LogRefused(log, kind.ToWire(), "every turn to read a body stayed taken");
            return (WebhookIntake.Busy(context), "busy");
        }

        try
        {
            var (body, refusal) = await intake.ReadAsync(context, cancellationToken);
            if (body is null)
            {
                LogRefused(log, kind.ToWire(), "its body could not be read whole within the limits");
                return (refusal!, "rejected_body");
            }

            using (body)
            {
                var delivery = new WebhookRequest(
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    body.Bytes);
                var receiver = new Receiver(kind, forges.Get(kind), repositories, secrets, journal, planning, time, log) { PullRequests = pullRequests };
                var answer = await receiver.ReceiveAsync(delivery, cancellationToken);
                return (answer, receiver.Result);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The sender went away; nobody reads the answer.
            return (Results.Empty, "error");
        }
        finally
        {
            intake.Leave();
        }
    }

    /// <summary>One delivery, once its body is in.</summary>
    private sealed class Receiver(
        ForgeKind kind, IForge handler, IRepositoryStore repositories, RepositorySecrets secrets, IEventJournal journal,
        PlanningSignal planning, TimeProvider time, ILogger log)
    {
        /// <summary>Where a commit's checks are recorded, for the pull requests whose head it is.</summary>
        public required IPullRequestStore PullRequests { get; init; }

        /// <summary>How the delivery ended, as <c>cairn_webhook_deliveries_total</c>'s <c>result</c>.</summary>
        public string Result { get; private set; } = "error";

        public async Task<IResult> ReceiveAsync(WebhookRequest delivery, CancellationToken cancellationToken)
        {
            // Whether the body is JSON naming a repository depends on the body alone, so saying so tells nothing.
            WebhookIdentity identity;
            try
            {
                identity = handler.Identify(delivery);
            }
            catch (WebhookFormatException ex)
            {
                LogRejected(log, kind.ToWire(), "?", ex.Message);
                Result = "rejected_body";
                Activity.Current?.SetStatus(ActivityStatusCode.Error, "the body is not a delivery");
                return Problems.BadRequest(ex.Message);
            }

            var repository = await repositories.GetRepositoryAsync(identity.Repository, cancellationToken);
            var secret = repository is not null && repository.Forge == kind ? secrets.WebhookSecret(repository) : null;

            // A delivery for no repository of this forge is checked all the same, against a secret nobody has: it takes as
            // long and is answered as one with a bad signature. Only this log says which it was.
            var webhook = Activity.Current;
            webhook.Describe(null, null, repository?.Name);
            bool verified;
            using (var signature = CairnTelemetry.Source.StartActivity(CairnTelemetry.Spans.SignatureCheck))
            {
                verified = handler.Verify(delivery, secret ?? Decoy) && secret is not null && repository is not null;
                if (!verified)
                {
                    signature?.SetStatus(ActivityStatusCode.Error, "not verified");
                }
            }

            if (!verified || secret is null || repository is null)
            {
                webhook?.SetStatus(ActivityStatusCode.Error, "not verified");
                LogRejected(log, kind.ToWire(), identity.Repository, repository is null ? "no such repository"
                    : repository.Forge != kind ? $"the repository is on {repository.Forge.ToWire()}"
                    : secret is null ? "the repository has no webhook secret"
                    : "bad or missing signature");
                Result = repository is null || repository.Forge != kind || secret is null ? "rejected_unknown" : "rejected_signature";
                return Problems.Unauthorized(NotVerifiedDetail);
            }

            WebhookEvent parsed;
            try
            {
                parsed = handler.Parse(delivery);
            }
            catch (WebhookFormatException ex)
            {
                LogRejected(log, kind.ToWire(), repository.Name, ex.Message);
                Result = "rejected_body";
                Activity.Current?.SetStatus(ActivityStatusCode.Error, "the body is not a delivery");
                return Problems.BadRequest(ex.Message);
            }

            var (state, trigger, detail) = parsed switch
            {
                WebhookEvent.Trigger t => (EventState.Pending, TriggerEventJson.Serialize(t.Event with { Repository = repository.Name }), null),
                WebhookEvent.Ping => (EventState.Ignored, "", "ping"),
                WebhookEvent.Ignored i => (EventState.Ignored, "", i.Reason),
                WebhookEvent.Checks c => (EventState.Ignored, "", $"checks: {c.State} for {c.Sha[..Math.Min(7, c.Sha.Length)]} ({c.Detail})"),
                _ => (EventState.Ignored, "", "not understood"),
            };
            webhook?.SetTag(CairnTelemetry.Attributes.Event, identity.EventName);
            var entry = new NewJournalEntry(kind.ToWire(), identity.DeliveryId, repository.Name, identity.EventName, trigger, time.GetUtcNow(), state, detail)
            {
                TraceParent = webhook?.Recorded == true ? webhook.Id : null,
            };
            var journaled = await journal.AppendEventAsync(entry, cancellationToken);
            Result = state == EventState.Pending && !journaled.Duplicate ? "accepted" : "ignored";
            if (journaled.Duplicate)
            {
                return Results.Ok(new WebhookAnswer(false, true, journaled.Entry.Id, null));
            }

            if (parsed is WebhookEvent.Checks checks)
            {
                // A check of a commit that no publish job pushed changes nothing; that is most of them.
                await PullRequests.SetChecksAsync(repository.Name, checks.Sha, checks.State, checks.Detail, time.GetUtcNow(), cancellationToken);
            }

            if (state == EventState.Pending)
            {
                planning.Wake();
                return Results.Accepted($"/api/v1/events/{journaled.Entry.Id}", new WebhookAnswer(true, false, journaled.Entry.Id, null));
            }

            return parsed is WebhookEvent.Ping
                ? Results.Ok(new WebhookAnswer(true, false, journaled.Entry.Id, null))
                : Results.Accepted(value: new WebhookAnswer(false, false, journaled.Entry.Id, detail));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook rejected: {Forge} {Repository}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string forge, string repository, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook refused unread: {Forge}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string forge, string reason);
}
