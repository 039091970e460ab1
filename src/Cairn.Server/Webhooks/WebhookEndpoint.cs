using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Webhooks;

/// <summary>What a webhook is answered with (besides errors, which are problem documents).</summary>
public sealed record WebhookAnswer(bool Accepted, bool Duplicate, long? EventId, string? Ignored);

/// <summary><c>POST /hooks/{forge}</c>: find the repository, verify the signature with its own secret, journal, answer.
/// Planning happens afterwards from the journal, so the sender is answered in milliseconds and a crash between the
/// answer and the plan loses nothing. Nothing a sender controls can make this answer 500.</summary>
internal static partial class WebhookEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/{forge}", ReceiveAsync).WithName("ReceiveWebhook").DisableAntiforgery();
    }

    private static async Task<IResult> ReceiveAsync(
        string forge, HttpRequest request, IForgeDirectory forges, IRepositoryStore repositories, RepositorySecrets secrets,
        IEventJournal journal, PlanningSignal planning, ServerSettings settings, TimeProvider time, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("Cairn.Webhooks");
        if (!ForgeNames.TryParse(forge, out var kind))
        {
            return Problems.NotFound($"there is no forge '{forge}' (github, gitlab, gitea, bitbucket)");
        }

        var body = await ReadBodyAsync(request, settings.MaxWebhookBytes, cancellationToken);
        if (body is null)
        {
            return Results.Problem($"the body is larger than {settings.MaxWebhookBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
        }

        var delivery = new WebhookRequest(
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
        var handler = forges.Get(kind);

        WebhookIdentity identity;
        try
        {
            identity = handler.Identify(delivery);
        }
        catch (WebhookFormatException ex)
        {
            LogRejected(log, kind.ToWire(), "?", ex.Message);
            return Problems.BadRequest(ex.Message);
        }

        var repository = await repositories.GetRepositoryAsync(identity.Repository, cancellationToken);
        if (repository is null || repository.Forge != kind)
        {
            LogRejected(log, kind.ToWire(), identity.Repository, "unknown repository");
            return Problems.NotFound($"there is no {kind.ToWire()} repository {identity.Repository} on this server");
        }

        if (secrets.WebhookSecret(repository) is not { } secret || !handler.Verify(delivery, secret))
        {
            // Nothing is stored for a delivery that cannot prove where it came from: a log line only.
            LogRejected(log, kind.ToWire(), repository.Name, "bad or missing signature");
            return Problems.Unauthorized("the delivery's signature does not match this repository's webhook secret");
        }

        WebhookEvent parsed;
        try
        {
            parsed = handler.Parse(delivery);
        }
        catch (WebhookFormatException ex)
        {
            LogRejected(log, kind.ToWire(), repository.Name, ex.Message);
            return Problems.BadRequest(ex.Message);
        }

        var (state, trigger, detail) = parsed switch
        {
            WebhookEvent.Trigger t => (EventState.Pending, TriggerEventJson.Serialize(t.Event with { Repository = repository.Name }), null),
            WebhookEvent.Ping => (EventState.Ignored, "", "ping"),
            WebhookEvent.Ignored i => (EventState.Ignored, "", i.Reason),
            _ => (EventState.Ignored, "", "not understood"),
        };
        var entry = new NewJournalEntry(kind.ToWire(), identity.DeliveryId, repository.Name, identity.EventName, trigger, time.GetUtcNow(), state, detail);
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

        return parsed is WebhookEvent.Ping
            ? Results.Ok(new WebhookAnswer(true, false, journaled.Entry.Id, null))
            : Results.Accepted(value: new WebhookAnswer(false, false, journaled.Entry.Id, detail));
    }

    /// <summary>The body, or null when it is over the limit (read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook rejected: {Forge} {Repository}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string forge, string repository, string reason);
}
