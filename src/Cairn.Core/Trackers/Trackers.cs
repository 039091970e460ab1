namespace Cairn.Core.Trackers;

/// <summary>An issue-tracker project connected to a repository (<c>cairn tracker add plane</c>). Its webhook secret and
/// API key are sealed in the store and never part of this record.</summary>
/// <param name="Kind">The tracker: <c>plane</c>.</param>
/// <param name="Workspace">The workspace's slug, as in the tracker's URLs.</param>
/// <param name="Project">The project's id.</param>
/// <param name="ApiUrl">The tracker's base URL (its API lives under <c>/api/v1/</c>).</param>
/// <param name="BotUser">The tracker's id of the user the API key belongs to, once known: comments by it are Cairn's own.</param>
public sealed record TrackerRecord(
    long Id,
    string Kind,
    string Workspace,
    string Project,
    string Repository,
    Uri ApiUrl,
    string? BotUser,
    DateTimeOffset CreatedAt);

public sealed record NewTracker(string Kind, string Workspace, string Project, string Repository, Uri ApiUrl, string WebhookSecret, string ApiKey, DateTimeOffset CreatedAt);

/// <summary>The secrets of a tracker, unsealed for the one call that needs them. Never logged, never in a response.</summary>
public sealed record TrackerSecrets(string WebhookSecret, string ApiKey)
{
    public override string ToString() => "TrackerSecrets { *** }";
}

/// <summary>A comment Cairn owes a work item, delivered through the durable outbox. <see cref="ExternalId"/> is unique:
/// the tracker refuses a second comment with it (Plane answers 409), so a retried delivery never posts twice.</summary>
public sealed record TrackerComment(
    long Id,
    long Tracker,
    string WorkItem,
    string ExternalId,
    string Html,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? PostedId,
    string? LastError);

public interface ITrackerStore
{
    Task<TrackerRecord> AddTrackerAsync(NewTracker tracker, CancellationToken cancellationToken);

    Task<IReadOnlyList<TrackerRecord>> GetTrackersAsync(CancellationToken cancellationToken);

    Task<TrackerRecord?> GetTrackerAsync(long id, CancellationToken cancellationToken);

    Task<TrackerSecrets?> GetTrackerSecretsAsync(long id, CancellationToken cancellationToken);

    Task<bool> SetTrackerBotUserAsync(long id, string botUser, CancellationToken cancellationToken);

    Task<bool> RemoveTrackerAsync(long id, CancellationToken cancellationToken);

    /// <summary>Queues a comment; false (and nothing queued) when one with the same external id is queued already.</summary>
    Task<bool> EnqueueCommentAsync(long tracker, string workItem, string externalId, string html, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Undelivered comments due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<TrackerComment>> GetDueCommentsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task MarkCommentDeliveredAsync(long id, string? postedId, DateTimeOffset at, CancellationToken cancellationToken);

    Task MarkCommentFailedAsync(long id, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Whether the tracker's comment <paramref name="postedId"/> is one Cairn posted.</summary>
    Task<bool> IsOwnCommentAsync(long tracker, string postedId, CancellationToken cancellationToken);
}
