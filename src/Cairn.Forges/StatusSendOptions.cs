namespace Cairn.Forges;

/// <summary>How hard a status post tries before it hands back to the caller: each attempt's time limit, and a few
/// quick retries (exponential backoff with jitter) for what may pass in seconds. What does not pass by then comes
/// back as <c>StatusDelivery.Retry</c>, for the durable outbox to try again later.</summary>
public sealed record StatusSendOptions
{
    /// <summary>How long one attempt may take, answer included.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for network errors, timeouts, 429 and 5xx. Zero sends once.</summary>
    public int QuickRetries { get; init; } = 2;

    /// <summary>The delay before the first retry; it doubles for each further one, with jitter.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between quick retries. A forge asking (Retry-After) for longer is not retried
    /// quickly: its wait goes back with the <c>Retry</c>.</summary>
    public TimeSpan LongestRetryDelay { get; init; } = TimeSpan.FromSeconds(5);
}
