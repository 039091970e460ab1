namespace Cairn.Core.Forges;

/// <summary>The durable outbox of commit statuses. Per commit (repository and SHA) statuses go out in the order they
/// were queued: an entry is handed out only when every earlier entry of its commit was delivered or rejected.</summary>
public interface IStatusOutbox
{
    Task EnqueueStatusAsync(string repository, string sha, CommitStatus status, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="statuses"/> and moves the feed position kept as the setting <paramref name="positionKey"/>
    /// from <paramref name="expected"/> (null: none kept yet) to <paramref name="next"/>, in one transaction, if the position
    /// still stands at <paramref name="expected"/>; false, with nothing queued, when another projector moved it first. Servers
    /// sharing a database read the same feed: this is how each change's statuses are queued once, by one of them.</summary>
    Task<bool> EnqueueProjectedStatusesAsync(
        string positionKey, string? expected, string next, IReadOnlyList<ProjectedStatus> statuses, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Claims, for <paramref name="claimFor"/>, up to <paramref name="limit"/> entries that are due: for each
    /// commit only its oldest pending entry, and only when its next attempt time has come and nobody else holds it.</summary>
    Task<IReadOnlyList<StatusOutboxEntry>> ClaimDueStatusesAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken);

    Task MarkStatusDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts an attempt and sets the next one; the claim is released.</summary>
    Task MarkStatusRetryAsync(long id, DateTimeOffset nextAttemptAt, string reason, CancellationToken cancellationToken);

    /// <summary>Gives up on the entry with why (the next entry of its commit becomes due).</summary>
    Task MarkStatusRejectedAsync(long id, DateTimeOffset at, string reason, CancellationToken cancellationToken);

    /// <summary>Every entry of the commit, in queue order.</summary>
    Task<IReadOnlyList<StatusOutboxEntry>> ListStatusesAsync(string repository, string sha, CancellationToken cancellationToken);
}

/// <summary>A commit status to queue for a commit of a repository.</summary>
public sealed record ProjectedStatus(string Repository, string Sha, CommitStatus Status);
