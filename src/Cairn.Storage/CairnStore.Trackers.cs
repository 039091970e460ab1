using Cairn.Core.Trackers;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>Issue trackers, their comment outbox and the runs their work items started.</summary>
public abstract partial class CairnStore
{
    private readonly TrackerRecords _trackers;

    private TrackerRecords Trackers => _trackers;

    public Task<TrackerRecord> AddTrackerAsync(NewSealedTracker tracker, CancellationToken cancellationToken) => Trackers.AddTrackerAsync(tracker, cancellationToken);

    public Task<IReadOnlyList<TrackerRecord>> GetTrackersAsync(CancellationToken cancellationToken) => Trackers.GetTrackersAsync(cancellationToken);

    public Task<TrackerRecord?> GetTrackerAsync(long id, CancellationToken cancellationToken) => Trackers.GetTrackerAsync(id, cancellationToken);

    public Task<SealedTrackerSecrets?> GetSealedTrackerSecretsAsync(long id, CancellationToken cancellationToken) =>
        Trackers.GetSealedTrackerSecretsAsync(id, cancellationToken);

    public Task<bool> SetTrackerBotUserAsync(long id, string botUser, CancellationToken cancellationToken) =>
        Trackers.SetTrackerBotUserAsync(id, botUser, cancellationToken);

    public Task<bool> RemoveTrackerAsync(long id, CancellationToken cancellationToken) => Trackers.RemoveTrackerAsync(id, cancellationToken);

    public Task<bool> EnqueueCommentAsync(long tracker, string workItem, string externalId, string html, DateTimeOffset at, CancellationToken cancellationToken) =>
        Trackers.EnqueueCommentAsync(tracker, workItem, externalId, html, at, cancellationToken);

    public Task<IReadOnlyList<TrackerComment>> GetDueCommentsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Trackers.GetDueCommentsAsync(now, limit, cancellationToken);

    public Task<TrackerComment?> GetCommentAsync(string externalId, CancellationToken cancellationToken) =>
        Trackers.GetCommentAsync(externalId, cancellationToken);

    public Task MarkCommentDeliveredAsync(long id, string? postedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Trackers.MarkCommentDeliveredAsync(id, postedId, at, cancellationToken);

    public Task MarkCommentFailedAsync(long id, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        Trackers.MarkCommentFailedAsync(id, error, nextAttemptAt, cancellationToken);

    public Task<bool> IsOwnCommentAsync(long tracker, string postedId, CancellationToken cancellationToken) =>
        Trackers.IsOwnCommentAsync(tracker, postedId, cancellationToken);

    public Task<bool> DeferEventAsync(long eventId, DateTimeOffset until, string detail, CancellationToken cancellationToken) =>
        Trackers.DeferEventAsync(eventId, until, detail, cancellationToken);

    public Task AddTrackerRunAsync(TrackerRun run, CancellationToken cancellationToken) => Trackers.AddTrackerRunAsync(run, cancellationToken);

    public Task<IReadOnlyList<TrackerRun>> GetTrackerRunsAsync(long tracker, string workItem, CancellationToken cancellationToken) =>
        Trackers.GetTrackerRunsAsync(tracker, workItem, cancellationToken);
}
