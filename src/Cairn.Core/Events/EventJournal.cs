using Cairn.Core.Triggers;

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
    string? Detail)
{
    /// <summary>The W3C traceparent of the span that received the delivery; null when nothing traced it.</summary>
    public string? TraceParent { get; init; }
}

public sealed record NewJournalEntry(
    string Source,
    string? DeliveryId,
    string Repository,
    string EventName,
    string Trigger,
    DateTimeOffset ReceivedAt,
    EventState State = EventState.Pending,
    string? Detail = null)
{
    /// <summary>The W3C traceparent of the span that received the delivery, for its planning to join.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>What appending gave: the entry, and whether it was already there (same source, repository and delivery id).</summary>
public sealed record JournalResult(JournalEntry Entry, bool Duplicate);
