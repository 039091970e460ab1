using Cairn.Core.Events;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Trackers: their sealed secrets kept as given, the comment outbox (one comment per external id, retried and
/// given up as told, delivered with the tracker's id of it), the runs work items started, and a journal entry handed back.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Trackers_KeepTheirSealedSecrets_AndAreRemovedWithTheirComments()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var added = await scope.Store.AddTrackerAsync(
            new NewSealedTracker("plane", "acme", "p-1", "acme/widgets", new Uri("https://plane.example.test/"), [1, 2, 3], [4, 5], at), Token);

        Assert.Equal("acme", added.Workspace);
        Assert.Null(added.BotUser);
        var secrets = await scope.Store.GetSealedTrackerSecretsAsync(added.Id, Token);
        Assert.Equal([1, 2, 3], secrets!.SealedWebhookSecret);
        Assert.Equal([4, 5], secrets.SealedApiKey);
        Assert.True(await scope.Store.SetTrackerBotUserAsync(added.Id, "bot-1", Token));
        Assert.Equal("bot-1", (await scope.Store.GetTrackerAsync(added.Id, Token))!.BotUser);
        Assert.Single(await scope.Store.GetTrackersAsync(Token));

        Assert.True(await scope.Store.EnqueueCommentAsync(added.Id, "item-1", "cairn-run-1-started", "<p>hi</p>", at, Token));
        await scope.Store.AddTrackerRunAsync(new TrackerRun(added.Id, "item-1", 7, "ci", at), Token);
        Assert.True(await scope.Store.RemoveTrackerAsync(added.Id, Token));
        Assert.False(await scope.Store.RemoveTrackerAsync(added.Id, Token));
        Assert.Empty(await scope.Store.GetTrackersAsync(Token));
        Assert.Empty(await scope.Store.GetDueCommentsAsync(at, 10, Token));
        Assert.Null(await scope.Store.GetCommentAsync("cairn-run-1-started", Token));
    }

    [Fact]
    public async Task TrackerComments_AreQueuedOncePerExternalId_RetriedAndDelivered()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var tracker = await scope.Store.AddTrackerAsync(
            new NewSealedTracker("plane", "acme", "p-1", "acme/widgets", new Uri("https://plane.example.test/"), [1], [2], at), Token);

        Assert.True(await scope.Store.EnqueueCommentAsync(tracker.Id, "item-1", "cairn-run-1-started", "<p>one</p>", at, Token));
        Assert.False(await scope.Store.EnqueueCommentAsync(tracker.Id, "item-1", "cairn-run-1-started", "<p>again</p>", at, Token));
        Assert.True(await scope.Store.EnqueueCommentAsync(tracker.Id, "item-1", "cairn-run-1-finished", "<p>two</p>", at.AddSeconds(1), Token));

        var due = await scope.Store.GetDueCommentsAsync(at, 10, Token);
        var first = Assert.Single(due);
        Assert.Equal("<p>one</p>", first.Html);

        await scope.Store.MarkCommentFailedAsync(first.Id, "Plane answered 503", at.AddMinutes(1), Token);
        Assert.Equal(["cairn-run-1-finished"], (await scope.Store.GetDueCommentsAsync(at.AddSeconds(2), 10, Token)).Select(c => c.ExternalId));
        var retried = Assert.Single(await scope.Store.GetDueCommentsAsync(at.AddMinutes(1), 10, Token), c => c.ExternalId == "cairn-run-1-started");
        Assert.Equal(1, retried.Attempts);
        Assert.Equal("Plane answered 503", retried.LastError);

        await scope.Store.MarkCommentDeliveredAsync(first.Id, "c-99", at.AddMinutes(1), Token);
        var delivered = await scope.Store.GetCommentAsync("cairn-run-1-started", Token);
        Assert.Equal("c-99", delivered!.PostedId);
        Assert.Equal(2, delivered.Attempts);
        Assert.NotNull(delivered.DeliveredAt);
        Assert.True(await scope.Store.IsOwnCommentAsync(tracker.Id, "c-99", Token));
        Assert.False(await scope.Store.IsOwnCommentAsync(tracker.Id, "c-100", Token));

        var second = (await scope.Store.GetCommentAsync("cairn-run-1-finished", Token))!;
        await scope.Store.MarkCommentFailedAsync(second.Id, "Plane answered 403", null, Token);
        Assert.Empty(await scope.Store.GetDueCommentsAsync(at.AddDays(1), 10, Token));
        Assert.Equal("Plane answered 403", (await scope.Store.GetCommentAsync("cairn-run-1-finished", Token))!.LastError);
    }

    [Fact]
    public async Task TrackerRuns_AreKeptPerWorkItem_AndAJournalEntryCanBeHandedBack()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var tracker = await scope.Store.AddTrackerAsync(
            new NewSealedTracker("plane", "acme", "p-1", "acme/widgets", new Uri("https://plane.example.test/"), [1], [2], at), Token);
        await scope.Store.AddTrackerRunAsync(new TrackerRun(tracker.Id, "item-1", 3, "ci", at), Token);
        await scope.Store.AddTrackerRunAsync(new TrackerRun(tracker.Id, "item-1", 5, "ci", at), Token);
        await scope.Store.AddTrackerRunAsync(new TrackerRun(tracker.Id, "item-1", 5, "ci", at), Token);
        await scope.Store.AddTrackerRunAsync(new TrackerRun(tracker.Id, "item-2", 6, "ci", at), Token);
        Assert.Equal([5L, 3L], (await scope.Store.GetTrackerRunsAsync(tracker.Id, "item-1", Token)).Select(r => r.RunId));

        var entry = (await scope.Store.AppendEventAsync(
            new NewJournalEntry("plane", "e-1", "acme/widgets", "workitem.created", "{}", at), Token)).Entry;
        Assert.Single(await scope.Store.ClaimPendingEventsAsync("a", at, TimeSpan.FromMinutes(5), 10, Token));
        Assert.True(await scope.Store.DeferEventAsync(entry.Id, at.AddSeconds(30), "waiting for Plane", Token));
        Assert.Empty(await scope.Store.ClaimPendingEventsAsync("b", at.AddSeconds(29), TimeSpan.FromMinutes(5), 10, Token));
        var again = Assert.Single(await scope.Store.ClaimPendingEventsAsync("b", at.AddSeconds(30), TimeSpan.FromMinutes(5), 10, Token));
        Assert.Equal(EventState.Pending, again.State);
        Assert.Equal("waiting for Plane", again.Detail);
    }
}
