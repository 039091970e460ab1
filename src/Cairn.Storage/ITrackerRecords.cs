using Cairn.Core.Trackers;

namespace Cairn.Storage;

/// <summary>A tracker to add, its secrets already sealed by whoever holds the master key.</summary>
public sealed record NewSealedTracker(
    string Kind, string Workspace, string Project, string Repository, Uri ApiUrl, byte[] SealedWebhookSecret, byte[] SealedApiKey,
    DateTimeOffset CreatedAt);

/// <summary>A tracker's secrets as the store keeps them: sealed.</summary>
public sealed record SealedTrackerSecrets(long Tracker, byte[] SealedWebhookSecret, byte[] SealedApiKey);

/// <summary>A run a tracker's work item started.</summary>
public sealed record TrackerRun(long Tracker, string WorkItem, long RunId, string Pipeline, DateTimeOffset CreatedAt);

/// <summary>Trackers, their comment outbox and the runs their work items started, as the database keeps them: secrets
/// sealed (the server's <c>ITrackerStore</c> seals and opens them with the master key).</summary>
public interface ITrackerRecords
{
    Task<TrackerRecord> AddTrackerAsync(NewSealedTracker tracker, CancellationToken cancellationToken);

    Task<IReadOnlyList<TrackerRecord>> GetTrackersAsync(CancellationToken cancellationToken);

    Task<TrackerRecord?> GetTrackerAsync(long id, CancellationToken cancellationToken);

    Task<SealedTrackerSecrets?> GetSealedTrackerSecretsAsync(long id, CancellationToken cancellationToken);

    Task<bool> SetTrackerBotUserAsync(long id, string botUser, CancellationToken cancellationToken);

    /// <summary>Removes the tracker with its queued comments and its record of runs.</summary>
    Task<bool> RemoveTrackerAsync(long id, CancellationToken cancellationToken);

    /// <summary>Queues a comment; false (and nothing queued) when one with the same external id is queued already.</summary>
    Task<bool> EnqueueCommentAsync(long tracker, string workItem, string externalId, string html, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Comments neither delivered nor given up on, due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<TrackerComment>> GetDueCommentsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>A comment by its external id, delivered or not.</summary>
    Task<TrackerComment?> GetCommentAsync(string externalId, CancellationToken cancellationToken);

    Task MarkCommentDeliveredAsync(long id, string? postedId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a failed attempt; with <paramref name="nextAttemptAt"/> null the comment is given up on.</summary>
    Task MarkCommentFailedAsync(long id, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    Task<bool> IsOwnCommentAsync(long tracker, string postedId, CancellationToken cancellationToken);

    /// <summary>Hands a pending journal entry back, to be claimed again from <paramref name="until"/> (the tracker's API
    /// could not be reached): it stays pending, with why in its detail.</summary>
    Task<bool> DeferEventAsync(long eventId, DateTimeOffset until, string detail, CancellationToken cancellationToken);

    /// <summary>Records that a work item started a run (once per run).</summary>
    Task AddTrackerRunAsync(TrackerRun run, CancellationToken cancellationToken);

    /// <summary>The runs a work item of the tracker started, newest first.</summary>
    Task<IReadOnlyList<TrackerRun>> GetTrackerRunsAsync(long tracker, string workItem, CancellationToken cancellationToken);
}
