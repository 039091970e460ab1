using Cairn.Core.Triggers;

namespace Cairn.Core.Forges;

/// <summary>One forge's webhooks and commit statuses. Implementations live in Cairn.Forges; the server only speaks this.
/// The order of use is fixed: <see cref="Identify"/> (just enough to find the repository and dedupe),
/// <see cref="Verify"/> with that repository's own secret, and only then <see cref="Parse"/>. Until a delivery is
/// verified nothing is built from its body: Identify and Verify read the raw bytes (a form's payload field is decoded
/// into a buffer lent from the pool and given back).</summary>
public interface IForge
{
    ForgeKind Kind { get; }

    /// <summary>The public API a repository talks to when it names none (e.g. <c>https://api.github.com</c>).</summary>
    string DefaultApiUrl { get; }

    /// <summary>Reads the delivery id, the event name and the repository's full name, the name in one forward pass over
    /// the body that builds no document. Throws <see cref="WebhookFormatException"/> when the body is not one JSON object
    /// naming the repository once; that depends on the body alone, never on what this server knows.</summary>
    WebhookIdentity Identify(WebhookRequest request);

    /// <summary>True when the request carries a valid signature for <paramref name="secret"/> (an HMAC of the raw
    /// body, or GitLab's token), compared in constant time.</summary>
    bool Verify(WebhookRequest request, string secret);

    /// <summary>The event the delivery describes. Throws <see cref="WebhookFormatException"/> on a malformed body.</summary>
    WebhookEvent Parse(WebhookRequest request);

    /// <summary>Sends one commit status. Never throws for what the forge answers or for a network failure: the result
    /// says whether to try again later.</summary>
    Task<StatusDelivery> ReportStatusAsync(StatusTarget target, CommitStatus status, CancellationToken cancellationToken);
}

/// <summary>A webhook delivery as received: headers (looked up without regard to case) and the raw body.</summary>
public sealed record WebhookRequest(IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value
        : Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <param name="DeliveryId">The forge's id of this delivery (null when the forge sent none).</param>
/// <param name="EventName">The forge's own event name (<c>push</c>, <c>Merge Request Hook</c>, <c>repo:push</c>, ...).</param>
/// <param name="Repository">The repository's full name, <c>owner/repo</c> (GitLab: the project's path with namespace).</param>
public sealed record WebhookIdentity(string? DeliveryId, string EventName, string Repository);

/// <summary>A body that is not what the forge sends; the message says what is wrong and is safe to answer with.</summary>
public sealed class WebhookFormatException(string message) : Exception(message);

/// <summary>What a verified delivery asks for.</summary>
public abstract record WebhookEvent
{
    private WebhookEvent()
    {
    }

    /// <summary>A push or pull request that may start a run (the pipeline's <c>on:</c> still decides).</summary>
    public sealed record Trigger(TriggerEvent Event) : WebhookEvent;

    /// <summary>The forge checking that the hook works.</summary>
    public sealed record Ping : WebhookEvent;

    /// <summary>Understood and deliberately not acted on: an unsupported event or action, a branch deletion, a zero SHA.</summary>
    public sealed record Ignored(string Reason) : WebhookEvent;

    /// <summary>A commit's CI state changed on the forge (a status, a check suite, a pipeline): what a run that opened a
    /// pull request of that commit records (<c>PR #12: checks passing</c>). <see cref="State"/> is pending, passing or failing.</summary>
    public sealed record Checks(string Sha, string State, string Detail) : WebhookEvent;
}

/// <summary>The state of a commit status, as every forge has some form of it.</summary>
public enum CommitState
{
    Pending,
    Success,
    Failure,
    Error,
}

/// <summary>One status on a commit. <see cref="Context"/> tells statuses apart (<c>cairn/ci</c>, <c>cairn/ci/test</c>).</summary>
public sealed record CommitStatus(CommitState State, string Context, string Description, string? TargetUrl);

/// <summary>Where a status goes: the repository at its forge's API, with the token that may write statuses.</summary>
public sealed record StatusTarget(string Repository, string ApiUrl, string? Token, string Sha);

/// <summary>How sending a status ended.</summary>
public abstract record StatusDelivery
{
    private StatusDelivery()
    {
    }

    public sealed record Delivered : StatusDelivery;

    /// <summary>Worth trying again later: a network error, a timeout, 429 or 5xx. <see cref="After"/> is the forge's
    /// Retry-After when it sent one.</summary>
    public sealed record Retry(string Reason, TimeSpan? After) : StatusDelivery;

    /// <summary>Never worth trying again as it is (another 4xx): the reason is recorded.</summary>
    public sealed record Rejected(string Reason) : StatusDelivery;
}
