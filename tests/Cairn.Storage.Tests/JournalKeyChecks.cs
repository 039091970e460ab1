using Cairn.Core.Events;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What must hold of an event journal written before deliveries were keyed by repository (migration 6), once a
/// newer cairn has opened it: a delivery journaled then is still a duplicate when it comes again, for its repository
/// in any case, and only for it.</summary>
internal static class JournalKeyChecks
{
    /// <summary>The migrations the journal's old key was written under.</summary>
    public static List<Migration> Before(IReadOnlyList<Migration> all) => [.. all.Where(m => m.Version < 6)];

    /// <summary>Delivery d-1 of Acme/Widgets, planned, as the old schema kept it.</summary>
    public const string OldRow = """
        INSERT INTO event_journal (source, delivery_id, repository, event_name, trigger_json, state, received_at, run_id)
        VALUES ('github', 'd-1', 'Acme/Widgets', 'push', '{}', 'planned', 1000, 7);
        """;

    public static async Task AssertKeptAsync(StoreScope scope)
    {
        var again = await scope.Store.AppendEventAsync(Delivery(scope, "acme/WIDGETS"), Token);
        var other = await scope.Store.AppendEventAsync(Delivery(scope, "acme/gadgets"), Token);

        Assert.True(again.Duplicate);
        Assert.Equal(("Acme/Widgets", EventState.Planned, 7L), (again.Entry.Repository, again.Entry.State, again.Entry.RunId));
        Assert.False(other.Duplicate);
        Assert.Equal("acme/gadgets", other.Entry.Repository);
    }

    private static NewJournalEntry Delivery(StoreScope scope, string repository) =>
        new("github", "d-1", repository, "push", "{}", scope.Time.GetUtcNow());
}
