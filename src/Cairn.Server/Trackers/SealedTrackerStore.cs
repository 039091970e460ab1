using System.Security.Cryptography;
using Cairn.Core.Secrets;
using Cairn.Core.Trackers;
using Cairn.Storage;

namespace Cairn.Server.Trackers;

/// <summary>The trackers' store as the server uses it: a tracker's webhook secret and API key are sealed with the master
/// key before they reach the database, each bound to its tracker's repository, workspace, project and purpose (so a sealed
/// value copied to another row does not open), and opened only for the one call that needs them.</summary>
public sealed class SealedTrackerStore(ITrackerRecords records, SecretCipher cipher) : ITrackerStore
{
    /// <summary>The store's rows, for what the tracker contract does not cover (the runs work items started).</summary>
    public ITrackerRecords Records => records;

    public Task<TrackerRecord> AddTrackerAsync(NewTracker tracker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        var bound = Binding(tracker.Repository, tracker.Workspace, tracker.Project);
        return records.AddTrackerAsync(
            new NewSealedTracker(
                tracker.Kind, tracker.Workspace, tracker.Project, tracker.Repository, tracker.ApiUrl,
                cipher.Seal(tracker.WebhookSecret, bound + ":webhook-secret"), cipher.Seal(tracker.ApiKey, bound + ":api-key"), tracker.CreatedAt),
            cancellationToken);
    }

    public Task<IReadOnlyList<TrackerRecord>> GetTrackersAsync(CancellationToken cancellationToken) => records.GetTrackersAsync(cancellationToken);

    public Task<TrackerRecord?> GetTrackerAsync(long id, CancellationToken cancellationToken) => records.GetTrackerAsync(id, cancellationToken);

    /// <summary>The tracker's secrets, or null when there is no such tracker or they no longer open (the master key changed).</summary>
    public async Task<TrackerSecrets?> GetTrackerSecretsAsync(long id, CancellationToken cancellationToken)
    {
        var tracker = await records.GetTrackerAsync(id, cancellationToken);
        var secrets = await records.GetSealedTrackerSecretsAsync(id, cancellationToken);
        if (tracker is null || secrets is null)
        {
            return null;
        }

        var bound = Binding(tracker.Repository, tracker.Workspace, tracker.Project);
        try
        {
            return new TrackerSecrets(
                cipher.Open(secrets.SealedWebhookSecret, bound + ":webhook-secret"), cipher.Open(secrets.SealedApiKey, bound + ":api-key"));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public Task<bool> SetTrackerBotUserAsync(long id, string botUser, CancellationToken cancellationToken) =>
        records.SetTrackerBotUserAsync(id, botUser, cancellationToken);

    public Task<bool> RemoveTrackerAsync(long id, CancellationToken cancellationToken) => records.RemoveTrackerAsync(id, cancellationToken);

    public Task<bool> EnqueueCommentAsync(long tracker, string workItem, string externalId, string html, DateTimeOffset at, CancellationToken cancellationToken) =>
        records.EnqueueCommentAsync(tracker, workItem, externalId, html, at, cancellationToken);

    public Task<IReadOnlyList<TrackerComment>> GetDueCommentsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        records.GetDueCommentsAsync(now, limit, cancellationToken);

    public Task MarkCommentDeliveredAsync(long id, string? postedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        records.MarkCommentDeliveredAsync(id, postedId, at, cancellationToken);

    public Task MarkCommentFailedAsync(long id, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        records.MarkCommentFailedAsync(id, error, nextAttemptAt, cancellationToken);

    public Task<bool> IsOwnCommentAsync(long tracker, string postedId, CancellationToken cancellationToken) =>
        records.IsOwnCommentAsync(tracker, postedId, cancellationToken);

    private static string Binding(string repository, string workspace, string project) =>
        $"tracker:{repository.ToUpperInvariant()}:{workspace}:{project}";
}
