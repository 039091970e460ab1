namespace Cairn.Core.Forges;

/// <summary>Where a queued status stands.</summary>
public enum OutboxState
{
    Pending,
    Delivered,
    Rejected,
}

/// <summary>One commit status waiting to be sent (or sent), in the order it was queued.</summary>
public sealed record StatusOutboxEntry(
    long Id,
    string Repository,
    string Sha,
    CommitStatus Status,
    OutboxState State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    string? LastError);
