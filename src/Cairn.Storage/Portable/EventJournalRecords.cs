using Cairn.Core.Events;

namespace Cairn.Storage.Portable;

/// <summary>The event journal, alike for both dialects except for how entries are claimed.</summary>
/// <param name="intake">Where a delivery's entry is written: the answer to the forge waits for it.</param>
internal sealed class EventJournalRecords(IStatementRunner database, ClaimStatements claims, IStatementRunner intake) : IEventJournal
{
    public async Task<JournalResult> AppendEventAsync(NewJournalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var appended = await intake.WriteReturningAsync(
            ServerSql.AppendEvent,
            command => command
                .Bind("@source", entry.Source)
                .Bind("@delivery", entry.DeliveryId)
                .Bind("@repository", entry.Repository)
                .Bind("@key", ServerRows.RepositoryKey(entry.Repository))
                .Bind("@event", entry.EventName)
                .Bind("@trigger", entry.Trigger)
                .Bind("@state", ServerRows.Wire(entry.State))
                .Bind("@received", RecordRows.ToMillis(entry.ReceivedAt))
                .Bind("@detail", entry.Detail)
                .Bind("@trace_parent", entry.TraceParent),
            ServerRows.ReadJournalEntry,
            cancellationToken);
        if (appended is [var added])
        {
            return new JournalResult(added, Duplicate: false);
        }

        // The delivery was journaled before (a concurrent append of it has committed by now: the conflict waited for it).
        var first = await database.QueryAsync(
            ServerSql.EventByDelivery,
            command => command
                .Bind("@source", entry.Source)
                .Bind("@key", ServerRows.RepositoryKey(entry.Repository))
                .Bind("@delivery", entry.DeliveryId),
            ServerRows.ReadJournalEntry,
            cancellationToken);
        return new JournalResult(first.Single(), Duplicate: true);
    }

    public async Task<IReadOnlyList<JournalEntry>> ClaimPendingEventsAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var claimed = await database.InTransactionAsync(
            transaction => transaction.QueryAsync(
                claims.ClaimEvents,
                command => command
                    .Bind("@claimant", claimant)
                    .Bind("@now", RecordRows.ToMillis(now))
                    .Bind("@until", RecordRows.ToMillis(now + claimFor))
                    .Bind("@limit", limit),
                ServerRows.ReadJournalEntry,
                cancellationToken),
            cancellationToken);
        return [.. claimed.OrderBy(e => e.Id)];
    }

    /// <exception cref="ArgumentException"><paramref name="state"/> is pending: an entry is resolved to something else.</exception>
    public async Task<bool> ResolveEventAsync(long id, EventState state, long? runId, string? detail, CancellationToken cancellationToken)
    {
        if (state == EventState.Pending)
        {
            throw new ArgumentException("an entry is resolved as planned, ignored or failed, not pending", nameof(state));
        }

        var resolved = await database.ExecuteAsync(
            ServerSql.ResolveEvent,
            command => command.Bind("@id", id).Bind("@state", ServerRows.Wire(state)).Bind("@run", runId).Bind("@detail", detail),
            cancellationToken);
        return resolved == 1;
    }

    public async Task<JournalEntry?> GetEventAsync(long id, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync(ServerSql.EventById, c => c.Bind("@id", id), ServerRows.ReadJournalEntry, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<IReadOnlyList<JournalEntry>> ListEventsAsync(string? repository, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // Only the filters that are set go into the statement: a parameter that may be NULL has no type PostgreSQL can infer.
        var filters = new List<string>();
        if (repository is not null)
        {
            filters.Add("repository = @repository");
        }

        if (beforeId is not null)
        {
            filters.Add("id < @before");
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        return await database.QueryAsync(
            $"SELECT {ServerSql.JournalColumns} FROM event_journal {where} ORDER BY id DESC LIMIT @limit;",
            command =>
            {
                if (repository is not null)
                {
                    command.Bind("@repository", repository);
                }

                if (beforeId is { } before)
                {
                    command.Bind("@before", before);
                }

                command.Bind("@limit", limit);
            },
            ServerRows.ReadJournalEntry,
            cancellationToken);
    }
}
