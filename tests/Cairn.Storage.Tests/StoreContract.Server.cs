using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Schedules;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The server's tables: repositories, the event journal, the status outbox, schedules and settings.</summary>
public abstract partial class StoreContract
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Repositories_AreFoundWithoutRegardToCase_AndTheirNamesAreUnique()
    {
        await using var scope = await OpenAsync();
        var widgets = Repository(scope, "Acme/Widgets") with { SealedWebhookSecret = [1, 2, 3], SealedForgeToken = [0, 255], AllowForkSecrets = true };

        Assert.True(await scope.Store.AddRepositoryAsync(widgets, Token));
        Assert.True(await scope.Store.AddRepositoryAsync(Repository(scope, "acme/gadgets"), Token));
        Assert.False(await scope.Store.AddRepositoryAsync(Repository(scope, "ACME/widgets"), Token));

        var found = await scope.Store.GetRepositoryAsync("acme/WIDGETS", Token);
        Assert.Equal(widgets with { SealedWebhookSecret = null, SealedForgeToken = null }, found! with { SealedWebhookSecret = null, SealedForgeToken = null });
        Assert.Equal([1, 2, 3], found.SealedWebhookSecret);
        Assert.Equal([0, 255], found.SealedForgeToken);
        Assert.Equal(["acme/gadgets", "Acme/Widgets"], (await scope.Store.ListRepositoriesAsync(Token)).Select(r => r.Name));
        var gadgets = await scope.Store.GetRepositoryAsync("acme/gadgets", Token);
        Assert.Equal((null, null, false), (gadgets!.SealedWebhookSecret, gadgets.SealedForgeToken, gadgets.AllowForkSecrets));
        Assert.Null(await scope.Store.GetRepositoryAsync("acme/nothing", Token));
    }

    [Fact]
    public async Task DeleteRepository_RemovesItAndItsSchedules_ButNotItsRuns()
    {
        await using var scope = await OpenAsync();
        await scope.Store.AddRepositoryAsync(Repository(scope, "acme/widgets"), Token);
        await scope.Store.AddRepositoryAsync(Repository(scope, "acme/gadgets"), Token);
        var at = scope.Time.GetUtcNow();
        await scope.Store.ReplaceSchedulesAsync("acme/widgets", [new("ci", "0 * * * *", at)], Token);
        await scope.Store.ReplaceSchedulesAsync("acme/gadgets", [new("ci", "0 * * * *", at)], Token);
        var run = await scope.CreateRunAsync(Job("build"));

        Assert.True(await scope.Store.DeleteRepositoryAsync("ACME/Widgets", Token));
        Assert.False(await scope.Store.DeleteRepositoryAsync("acme/widgets", Token));

        Assert.Equal(["acme/gadgets"], (await scope.Store.ListRepositoriesAsync(Token)).Select(r => r.Name));
        Assert.Equal(["acme/gadgets"], (await scope.Store.ListSchedulesAsync(Token)).Select(s => s.Repository));
        Assert.NotNull(await scope.Store.GetRunAsync(run.Id, Token));
    }

    [Fact]
    public async Task AppendEvent_WithAJournaledDelivery_ReturnsTheFirstEntry_AndWritesOnce()
    {
        await using var scope = await OpenAsync();
        var first = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1"), Token);
        scope.Time.Advance(TimeSpan.FromSeconds(5));

        var again = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1") with { EventName = "pull_request" }, Token);
        var otherSource = await scope.Store.AppendEventAsync(Delivery(scope, "gitea", "d-1"), Token);
        var undelivered = await scope.Store.AppendEventAsync(Delivery(scope, "manual", null), Token);
        var undeliveredAgain = await scope.Store.AppendEventAsync(Delivery(scope, "manual", null), Token);

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.Entry, again.Entry);
        Assert.Equal("push", again.Entry.EventName);
        Assert.False(otherSource.Duplicate);
        Assert.False(undelivered.Duplicate);
        Assert.False(undeliveredAgain.Duplicate);
        Assert.NotEqual(undelivered.Entry.Id, undeliveredAgain.Entry.Id);
        Assert.Equal(4, scope.Scalar("SELECT count(*) FROM event_journal"));
        Assert.Equal(first.Entry, await scope.Store.GetEventAsync(first.Entry.Id, Token));
        Assert.Equal((EventState.Pending, "acme/widgets", null, null), (first.Entry.State, first.Entry.Repository, first.Entry.RunId, first.Entry.Detail));
    }

    [Fact]
    public async Task AppendEvent_AnotherRepositorysDeliveryId_IsAnotherDelivery_ButTheSameRepositoryInAnyCaseIsNot()
    {
        await using var scope = await OpenAsync();
        var widgets = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1"), Token);

        var gadgets = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1") with { Repository = "acme/gadgets" }, Token);
        var widgetsAgain = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1") with { Repository = "ACME/Widgets" }, Token);
        var gadgetsAgain = await scope.Store.AppendEventAsync(Delivery(scope, "github", "d-1") with { Repository = "acme/gadgets" }, Token);

        Assert.False(gadgets.Duplicate);
        Assert.Equal("acme/gadgets", gadgets.Entry.Repository);
        Assert.NotEqual(widgets.Entry.Id, gadgets.Entry.Id);
        Assert.True(widgetsAgain.Duplicate);
        Assert.Equal(widgets.Entry, widgetsAgain.Entry);
        Assert.True(gadgetsAgain.Duplicate);
        Assert.Equal(gadgets.Entry, gadgetsAgain.Entry);
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM event_journal"));
    }

    [Fact]
    public async Task AppendEvent_ConcurrentDeliveriesOfOneEvent_JournalItOnce()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => (i % 2 == 0 ? scope.Store : other).AppendEventAsync(Delivery(scope, "github", "d-7"), Token), Token)));

        Assert.Single(results, r => !r.Duplicate);
        Assert.Single(results.Select(r => r.Entry.Id).Distinct());
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM event_journal"));
    }

    [Fact]
    public async Task ClaimEvents_ByConcurrentClaimants_NeverHandsOneEntryToTwo()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        for (var i = 0; i < 120; i++)
        {
            await scope.Store.AppendEventAsync(Delivery(scope, "github", $"d-{i}"), Token);
        }

        var claimed = new ConcurrentBag<(string Claimant, long Id)>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(c => Task.Run(
            async () =>
            {
                var journal = c % 2 == 0 ? scope.Store : other;
                while (await journal.ClaimPendingEventsAsync($"replica-{c}", scope.Time.GetUtcNow(), ClaimFor, 7, Token) is { Count: > 0 } entries)
                {
                    Assert.Equal(entries.Select(e => e.Id).Order(), entries.Select(e => e.Id));
                    foreach (var entry in entries)
                    {
                        claimed.Add(($"replica-{c}", entry.Id));
                    }
                }
            },
            Token)));

        Assert.Equal(120, claimed.Count);
        Assert.Equal(120, claimed.Select(c => c.Id).Distinct().Count());
        Assert.Equal(120, scope.Scalar("SELECT count(*) FROM event_journal WHERE claimed_by IS NOT NULL"));
    }

    [Fact]
    public async Task ClaimEvents_TakesPendingOnesOldestFirst_AgainOnlyOnceTheClaimRunsOut()
    {
        await using var scope = await OpenAsync();
        var entries = new List<JournalEntry>();
        foreach (var delivery in new[] { "a", "b", "c", "d" })
        {
            entries.Add((await scope.Store.AppendEventAsync(Delivery(scope, "github", delivery), Token)).Entry);
        }

        await scope.Store.AppendEventAsync(Delivery(scope, "github", "ignored") with { State = EventState.Ignored, Detail = "a ping" }, Token);

        var first = await scope.Store.ClaimPendingEventsAsync("one", scope.Time.GetUtcNow(), ClaimFor, 2, Token);
        Assert.Equal([entries[0].Id, entries[1].Id], first.Select(e => e.Id));
        Assert.True(await scope.Store.ResolveEventAsync(entries[0].Id, EventState.Planned, 42, null, Token));
        Assert.False(await scope.Store.ResolveEventAsync(entries[0].Id, EventState.Failed, null, "again", Token));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.ResolveEventAsync(entries[1].Id, EventState.Pending, null, null, Token));

        var second = await scope.Store.ClaimPendingEventsAsync("two", scope.Time.GetUtcNow(), ClaimFor, 10, Token);
        Assert.Equal([entries[2].Id, entries[3].Id], second.Select(e => e.Id));
        Assert.Empty(await scope.Store.ClaimPendingEventsAsync("two", scope.Time.GetUtcNow() + ClaimFor - TimeSpan.FromSeconds(1), ClaimFor, 10, Token));

        // The first claimant never resolved entry 1 (it died, say): once its claim runs out, another takes it.
        var later = scope.Time.GetUtcNow() + ClaimFor;
        Assert.Equal(
            [entries[1].Id, entries[2].Id, entries[3].Id],
            (await scope.Store.ClaimPendingEventsAsync("three", later, ClaimFor, 10, Token)).Select(e => e.Id));
        var planned = await scope.Store.GetEventAsync(entries[0].Id, Token);
        Assert.Equal((EventState.Planned, 42L), (planned!.State, planned.RunId));
    }

    [Fact]
    public async Task ListEvents_IsNewestFirst_ByRepository_AndPagesBack()
    {
        await using var scope = await OpenAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var repository = i % 2 == 0 ? "acme/widgets" : "acme/gadgets";
            ids.Add((await scope.Store.AppendEventAsync(Delivery(scope, "github", $"d-{i}") with { Repository = repository }, Token)).Entry.Id);
        }

        Assert.Equal([ids[4], ids[3], ids[2]], (await scope.Store.ListEventsAsync(null, null, 3, Token)).Select(e => e.Id));
        Assert.Equal([ids[1], ids[0]], (await scope.Store.ListEventsAsync(null, ids[2], 3, Token)).Select(e => e.Id));
        Assert.Equal([ids[4], ids[2], ids[0]], (await scope.Store.ListEventsAsync("acme/widgets", null, 10, Token)).Select(e => e.Id));
        Assert.Equal([ids[0]], (await scope.Store.ListEventsAsync("acme/widgets", ids[2], 10, Token)).Select(e => e.Id));
    }

    [Fact]
    public async Task ClaimStatuses_HandsOutOnlyTheOldestPendingStatusOfEachCommit()
    {
        await using var scope = await OpenAsync();
        var now = scope.Time.GetUtcNow();
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", Status(CommitState.Pending, "cairn/ci"), now, Token);
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", Status(CommitState.Success, "cairn/ci"), now, Token);
        await scope.Store.EnqueueStatusAsync("acme/widgets", "bbb", Status(CommitState.Pending, "cairn/ci"), now, Token);
        await scope.Store.EnqueueStatusAsync("acme/gadgets", "aaa", Status(CommitState.Failure, "cairn/ci/test"), now, Token);
        var queued = await scope.Store.ListStatusesAsync("acme/widgets", "aaa", Token);

        var first = await scope.Store.ClaimDueStatusesAsync("one", now, ClaimFor, 10, Token);

        Assert.Equal([("acme/widgets", "aaa"), ("acme/widgets", "bbb"), ("acme/gadgets", "aaa")], first.Select(e => (e.Repository, e.Sha)));
        Assert.Equal(queued[0], first[0]);
        Assert.Equal(
            (CommitState.Pending, "cairn/ci", "the description", "https://ci.example/runs/1", OutboxState.Pending, 0, now, now, (string?)null),
            (first[0].Status.State, first[0].Status.Context, first[0].Status.Description, first[0].Status.TargetUrl,
                first[0].State, first[0].Attempts, first[0].CreatedAt, first[0].NextAttemptAt, first[0].LastError));
        Assert.Empty(await scope.Store.ClaimDueStatusesAsync("two", now, ClaimFor, 10, Token));

        // Delivering a commit's entry frees its next one, and only that.
        await scope.Store.MarkStatusDeliveredAsync(first[0].Id, now, Token);
        var second = Assert.Single(await scope.Store.ClaimDueStatusesAsync("two", now, ClaimFor, 10, Token));
        Assert.Equal(queued[1].Id, second.Id);
        Assert.Equal(CommitState.Success, second.Status.State);
        var delivered = (await scope.Store.ListStatusesAsync("acme/widgets", "aaa", Token))[0];
        Assert.Equal((OutboxState.Delivered, 1), (delivered.State, delivered.Attempts));
    }

    [Fact]
    public async Task ProjectedStatuses_AreQueuedOnlyWhileTheFeedPositionStandsWhereTheProjectorLeftIt()
    {
        await using var scope = await OpenAsync();
        var now = scope.Time.GetUtcNow();
        ProjectedStatus[] first = [new("acme/widgets", "aaa", Status(CommitState.Pending, "cairn/ci")), new("acme/widgets", "aaa", Status(CommitState.Pending, "cairn/ci/build"))];
        ProjectedStatus[] later = [new("acme/widgets", "aaa", Status(CommitState.Success, "cairn/ci"))];

        Assert.True(await scope.Store.EnqueueProjectedStatusesAsync("feed", null, "5", first, now, Token));
        Assert.False(await scope.Store.EnqueueProjectedStatusesAsync("feed", null, "7", later, now, Token));
        Assert.False(await scope.Store.EnqueueProjectedStatusesAsync("feed", "4", "7", later, now, Token));
        Assert.Equal("5", await scope.Store.GetSettingAsync("feed", Token));
        Assert.True(await scope.Store.EnqueueProjectedStatusesAsync("feed", "5", "7", later, now, Token));
        Assert.True(await scope.Store.EnqueueProjectedStatusesAsync("feed", "7", "8", [], now, Token));

        Assert.Equal("8", await scope.Store.GetSettingAsync("feed", Token));
        Assert.Equal(
            [(CommitState.Pending, "cairn/ci"), (CommitState.Pending, "cairn/ci/build"), (CommitState.Success, "cairn/ci")],
            (await scope.Store.ListStatusesAsync("acme/widgets", "aaa", Token)).Select(e => (e.Status.State, e.Status.Context)));
    }

    [Fact]
    public async Task ProjectedStatuses_TwoInstancesProjectingTheSameChanges_QueueThemOnce()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var now = scope.Time.GetUtcNow();
        string? position = null;
        for (var round = 1; round <= 20; round++)
        {
            // Both read the same changes from the same position and try to queue their statuses at once.
            ProjectedStatus[] statuses = [new("acme/widgets", "aaa", Status(CommitState.Pending, $"cairn/ci/job-{round}"))];
            var next = round.ToString(CultureInfo.InvariantCulture);
            var tries = await Task.WhenAll(
                Task.Run(() => scope.Store.EnqueueProjectedStatusesAsync("feed", position, next, statuses, now, Token)),
                Task.Run(() => other.EnqueueProjectedStatusesAsync("feed", position, next, statuses, now, Token)));
            Assert.Single(tries, won => won);
            position = next;
        }

        Assert.Equal(
            Enumerable.Range(1, 20).Select(i => $"cairn/ci/job-{i}"),
            (await scope.Store.ListStatusesAsync("acme/widgets", "aaa", Token)).Select(e => e.Status.Context));
    }

    [Fact]
    public async Task StatusRetry_CountsTheAttempt_HoldsBackItsCommitUntilDue_AndRejectionFreesTheNext()
    {
        await using var scope = await OpenAsync();
        var now = scope.Time.GetUtcNow();
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", Status(CommitState.Pending, "cairn/ci"), now, Token);
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", Status(CommitState.Success, "cairn/ci"), now, Token);
        var first = Assert.Single(await scope.Store.ClaimDueStatusesAsync("one", now, ClaimFor, 10, Token));

        await scope.Store.MarkStatusRetryAsync(first.Id, now.AddSeconds(30), "503 from the forge", Token);

        Assert.Empty(await scope.Store.ClaimDueStatusesAsync("one", now.AddSeconds(29), ClaimFor, 10, Token));
        var retried = Assert.Single(await scope.Store.ClaimDueStatusesAsync("one", now.AddSeconds(30), ClaimFor, 10, Token));
        Assert.Equal((first.Id, 1, "503 from the forge", now.AddSeconds(30)), (retried.Id, retried.Attempts, retried.LastError, retried.NextAttemptAt));

        await scope.Store.MarkStatusRejectedAsync(first.Id, now.AddSeconds(31), "422: the commit does not exist", Token);

        var next = Assert.Single(await scope.Store.ClaimDueStatusesAsync("one", now.AddSeconds(31), ClaimFor, 10, Token));
        Assert.Equal(CommitState.Success, next.Status.State);
        var rejected = (await scope.Store.ListStatusesAsync("acme/widgets", "aaa", Token))[0];
        Assert.Equal((OutboxState.Rejected, 2, "422: the commit does not exist"), (rejected.State, rejected.Attempts, rejected.LastError));
    }

    [Fact]
    public async Task ClaimStatuses_AnExpiredClaimCanBeTakenByAnother()
    {
        await using var scope = await OpenAsync();
        var now = scope.Time.GetUtcNow();
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", Status(CommitState.Pending, "cairn/ci"), now, Token);
        var claimed = Assert.Single(await scope.Store.ClaimDueStatusesAsync("one", now, ClaimFor, 10, Token));

        Assert.Empty(await scope.Store.ClaimDueStatusesAsync("two", now + ClaimFor - TimeSpan.FromMilliseconds(1), ClaimFor, 10, Token));
        var taken = Assert.Single(await scope.Store.ClaimDueStatusesAsync("two", now + ClaimFor, ClaimFor, 10, Token));

        Assert.Equal(claimed.Id, taken.Id);
        Assert.Equal("two", scope.Text($"SELECT claimed_by FROM status_outbox WHERE id = {taken.Id}"));
    }

    [Fact]
    public async Task ClaimStatuses_ByConcurrentSenders_SendEachCommitsStatusesInOrder_OneAtATime()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var now = scope.Time.GetUtcNow();
        for (var round = 0; round < 4; round++)
        {
            for (var commit = 0; commit < 15; commit++)
            {
                await scope.Store.EnqueueStatusAsync("acme/widgets", $"sha-{commit}", Status(CommitState.Pending, $"round-{round}"), now, Token);
            }
        }

        var inFlight = new ConcurrentDictionary<string, long>();
        var sent = new ConcurrentQueue<(string Sha, string Context)>();
        var overlaps = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(s => Task.Run(
            async () =>
            {
                var outbox = s % 2 == 0 ? scope.Store : other;
                var idle = 0;
                while (idle < 3)
                {
                    var entries = await outbox.ClaimDueStatusesAsync($"sender-{s}", now, ClaimFor, 4, Token);
                    idle = entries.Count == 0 ? idle + 1 : 0;
                    foreach (var entry in entries)
                    {
                        if (!inFlight.TryAdd(entry.Sha, entry.Id))
                        {
                            Interlocked.Increment(ref overlaps);
                        }

                        sent.Enqueue((entry.Sha, entry.Status.Context));
                        inFlight.TryRemove(entry.Sha, out _);
                        await outbox.MarkStatusDeliveredAsync(entry.Id, now, Token);
                    }

                    await Task.Yield();
                }
            },
            Token)));

        Assert.Equal(0, overlaps);
        Assert.Equal(60, sent.Count);
        foreach (var commit in sent.GroupBy(s => s.Sha))
        {
            Assert.Equal(["round-0", "round-1", "round-2", "round-3"], commit.Select(s => s.Context));
        }

        Assert.Equal(60, scope.Scalar("SELECT count(*) FROM status_outbox WHERE state = 'delivered' AND attempts = 1"));
    }

    [Fact]
    public async Task ReplaceSchedules_KeepsTheNextFireTimeOfUnchangedCrons_AddsNewOnes_AndRemovesTheRest()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        await scope.Store.ReplaceSchedulesAsync(
            "acme/widgets", [new("ci", "0 * * * *", at.AddHours(1)), new("nightly", "0 3 * * *", at.AddHours(3))], Token);
        await scope.Store.ReplaceSchedulesAsync("acme/gadgets", [new("ci", "*/5 * * * *", at.AddMinutes(5))], Token);
        var hourly = (await scope.Store.ListSchedulesAsync(Token)).Single(s => s.Pipeline == "ci" && s.Repository == "acme/widgets");

        await scope.Store.ReplaceSchedulesAsync(
            "Acme/Widgets", [new("ci", "0 * * * *", at.AddMinutes(90)), new("ci", "30 * * * *", at.AddMinutes(30))], Token);

        var schedules = await scope.Store.ListSchedulesAsync(Token);
        Assert.Equal(
            [("acme/gadgets", "ci", "*/5 * * * *", at.AddMinutes(5)), ("Acme/Widgets", "ci", "30 * * * *", at.AddMinutes(30)), ("acme/widgets", "ci", "0 * * * *", at.AddHours(1))],
            schedules.Select(s => (s.Repository, s.Pipeline, s.Cron, s.NextFireAt)));
        Assert.Equal(hourly.Id, schedules[2].Id);

        await scope.Store.ReplaceSchedulesAsync("acme/widgets", [], Token);
        Assert.Equal(["acme/gadgets"], (await scope.Store.ListSchedulesAsync(Token)).Select(s => s.Repository));
    }

    [Fact]
    public async Task TryAdvanceSchedule_LetsExactlyOneOfConcurrentRacersFireATick()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var at = scope.Time.GetUtcNow();
        await scope.Store.ReplaceSchedulesAsync("acme/widgets", [new("ci", "* * * * *", at)], Token);
        var id = Assert.Single(await scope.Store.ListSchedulesAsync(Token)).Id;

        for (var tick = 0; tick < 10; tick++)
        {
            var due = at.AddMinutes(tick);
            var won = await Task.WhenAll(Enumerable.Range(0, 4).Select(r =>
                Task.Run(() => (r % 2 == 0 ? scope.Store : other).TryAdvanceScheduleAsync(id, due, due.AddMinutes(1), Token), Token)));
            Assert.Single(won, w => w);
        }

        Assert.False(await scope.Store.TryAdvanceScheduleAsync(id, at, at.AddMinutes(1), Token));
        Assert.Equal(at.AddMinutes(10), Assert.Single(await scope.Store.ListSchedulesAsync(Token)).NextFireAt);
    }

    [Fact]
    public async Task Settings_AreAddedOnce_AndSetWhateverTheyWere()
    {
        await using var scope = await OpenAsync();

        Assert.Null(await scope.Store.GetSettingAsync("admin-token", Token));
        Assert.True(await scope.Store.TryAddSettingAsync("admin-token", "hash-1", Token));
        Assert.False(await scope.Store.TryAddSettingAsync("admin-token", "hash-2", Token));
        Assert.Equal("hash-1", await scope.Store.GetSettingAsync("admin-token", Token));

        await scope.Store.SetSettingAsync("admin-token", "hash-3", Token);
        await scope.Store.SetSettingAsync("other", "x", Token);

        Assert.Equal("hash-3", await scope.Store.GetSettingAsync("admin-token", Token));
        Assert.Equal("x", await scope.Store.GetSettingAsync("other", Token));
    }

    private static RepositoryRecord Repository(StoreScope scope, string name) => new(
        name, ForgeKind.GitHub, $"https://github.com/{name}.git", "https://api.github.com", "main", null, null, scope.Time.GetUtcNow());

    private static NewJournalEntry Delivery(StoreScope scope, string source, string? deliveryId) => new(
        source, deliveryId, "acme/widgets", "push",
        TriggerEventJson.Serialize(new TriggerEvent(TriggerKind.Push, "acme/widgets", "refs/heads/main", "abc", new Dictionary<string, string>())),
        scope.Time.GetUtcNow());

    private static CommitStatus Status(CommitState state, string context) =>
        new(state, context, "the description", "https://ci.example/runs/1");
}
