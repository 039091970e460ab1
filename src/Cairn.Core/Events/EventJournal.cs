namespace Cairn.Core.Events;

/// <summary>Where a journaled event stands: accepted and not yet planned, or dealt with.</summary>
public enum EventState
{
    Pending,
    Planned,
    Ignored,
    Failed,
}

/// <summary>An accepted trigger as the journal keeps it, before any planning: a crash after the answer loses nothing.</summary>
/// <param name="Source">Where it came from: a forge's wire name (<c>github</c>...), <c>manual</c> or <c>schedule</c>.</param>
/// <param name="DeliveryId">The sender's id for the delivery; two entries never share (source, repository, delivery id),
/// the repository compared without regard to case.</param>
/// <param name="EventName">The sender's own event name (<c>push</c>, <c>pull_request</c>, <c>Push Hook</c>...).</param>
/// <param name="Trigger">The parsed trigger as JSON (<c>TriggerEventJson</c>).</param>
/// <param name="RunId">The run it started, once planned.</param>
/// <param name="Detail">Why it was ignored or failed, or a note on the plan.</param>
public sealed record JournalEntry(
    long Id,
    string Source,
    string? DeliveryId,
    string Repository,
    string EventName,
    string Trigger,
    EventState State,
    DateTimeOffset ReceivedAt,
    long? RunId,
    string? Detail);

public sealed record NewJournalEntry(
    string Source,
    string? DeliveryId,
    string Repository,
    string EventName,
    string Trigger,
    DateTimeOffset ReceivedAt,
    EventState State = EventState.Pending,
    string? Detail = null);

/// <summary>What appending gave: the entry, and whether it was already there (same source, repository and delivery id).</summary>
public sealed record JournalResult(JournalEntry Entry, bool Duplicate);

/// <summary>The durable journal of accepted events: appended before the sender is answered, planned afterwards by
/// whichever replica claims the entry.</summary>
public interface IEventJournal
{
    /// <summary>Appends the entry, unless one with the same source, repository (in any case) and (non-null) delivery id
    /// exists: then nothing is written and that first entry, always one of the same repository, is returned with
    /// <see cref="JournalResult.Duplicate"/> set.</summary>
    Task<JournalResult> AppendEventAsync(NewJournalEntry entry, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="limit"/> pending entries, oldest first, that nobody holds (or whose claim
    /// expired before <paramref name="now"/>), for <paramref name="claimFor"/>. Two claimants never get the same entry
    /// at the same time.</summary>
    Task<IReadOnlyList<JournalEntry>> ClaimPendingEventsAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken);

    /// <summary>Ends a pending entry: planned (with its run), ignored or failed (with why). False when it was not pending.</summary>
    Task<bool> ResolveEventAsync(long id, EventState state, long? runId, string? detail, CancellationToken cancellationToken);

    Task<JournalEntry?> GetEventAsync(long id, CancellationToken cancellationToken);

    /// <summary>Newest first, those with an id below <paramref name="beforeId"/> when given, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<JournalEntry>> ListEventsAsync(string? repository, long? beforeId, int limit, CancellationToken cancellationToken);
}
