namespace Cairn.Core.Events;

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
