using Cairn.Core.Planning;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Concurrency groups: runs of one group of a repository run one at a time, oldest first.</summary>
public abstract partial class StoreContract
{
    private static RunPlan Deploy(string group = "deploy", string repository = "acme/widgets") =>
        Plan(null, Job("build")) with { ConcurrencyGroup = group, Trigger = Plan(null).Trigger with { Repository = repository } };

    [Theory]
    [InlineData(RunStatus.Succeeded)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public async Task CreateRun_InABusyGroup_IsHeldBehindTheRunAhead_AndTheOldestStartsWhenItEnds(RunStatus end)
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var first = await scope.Store.CreateRunAsync(Deploy(), Token);
        var second = await scope.Store.CreateRunAsync(Deploy(), Token);
        var third = await scope.Store.CreateRunAsync(Deploy(), Token);

        Assert.Equal((RunStatus.Running, (long?)null), (first.Status, first.WaitingBehind));
        foreach (var held in new[] { second, third })
        {
            var stored = (await scope.Store.GetRunAsync(held.Id, Token))!;
            Assert.Equal(
                (RunStatus.Waiting, (long?)first.Id, $"waiting behind run #{first.Number} in concurrency group 'deploy'"),
                (stored.Status, stored.WaitingBehind, stored.PendingReason));
        }

        Assert.Null(await scope.Store.StartNextInGroupAsync("acme/widgets", "deploy", at, Token));
        Assert.Null(await scope.Store.ApproveRunAsync(second.Id, at, Token));

        if (end == RunStatus.Cancelled)
        {
            Assert.True(await scope.Store.RequestCancelAsync(first.Id, "cancelled", at, Token));
        }

        Assert.True(await scope.Store.TryTransitionRunAsync(first.Id, RunStatus.Running, end, at, Token));
        var started = await scope.Store.StartNextInGroupAsync("acme/widgets", "deploy", at, Token);

        Assert.Equal(second.Id, started?.Id);
        Assert.Equal((RunStatus.Running, (long?)null, (string?)null), (started!.Status, started.WaitingBehind, started.PendingReason));
        var last = (await scope.Store.GetRunAsync(third.Id, Token))!;
        Assert.Equal(
            (RunStatus.Waiting, (long?)second.Id, $"waiting behind run #{second.Number} in concurrency group 'deploy'"),
            (last.Status, last.WaitingBehind, last.PendingReason));
        Assert.Null(await scope.Store.StartNextInGroupAsync("acme/widgets", "deploy", at, Token));
        var changes = await scope.Store.ReadChangesAsync(0, second.Id, 10, Token);
        Assert.Equal(["waiting", "running"], changes.Where(c => c.JobId is null).Select(c => c.Status));
    }

    [Fact]
    public async Task CreateRun_ThatCancelsInProgress_OrInAnotherGroupOrRepository_OrWithoutAGroup_IsNotHeld()
    {
        await using var scope = await OpenAsync();
        await scope.Store.CreateRunAsync(Deploy(), Token);

        var cancelling = await scope.Store.CreateRunAsync(Deploy() with { CancelInProgress = true }, Token);
        var otherGroup = await scope.Store.CreateRunAsync(Deploy("release"), Token);
        var otherRepository = await scope.Store.CreateRunAsync(Deploy(repository: "acme/gadgets"), Token);
        var noGroup = await scope.Store.CreateRunAsync(Plan(null, Job("build")), Token);

        Assert.All([cancelling, otherGroup, otherRepository, noGroup], run => Assert.Equal((RunStatus.Running, (long?)null), (run.Status, run.WaitingBehind)));
    }

    [Fact]
    public async Task CreateRun_ManyAtOnceInOneGroup_FromTwoStores_StartsExactlyOne()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(
            () => (i % 2 == 0 ? scope.Store : other).CreateRunAsync(Deploy(), Token), Token)));

        var runs = await scope.Store.ListRunsAsync(new RunQuery(ConcurrencyGroup: "deploy", Limit: 50), Token);
        Assert.Equal(12, runs.Count);
        var running = Assert.Single(runs, r => r.Status == RunStatus.Running);
        Assert.Equal(created.Min(r => r.Id), running.Id);
        Assert.All(runs.Where(r => r.Id != running.Id), r => Assert.Equal((RunStatus.Waiting, (long?)running.Id), (r.Status, r.WaitingBehind)));
    }

    [Fact]
    public async Task ApproveRun_InABusyGroup_JoinsTheQueueHeld_AndInAFreeGroupStarts()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var waiting = await scope.Store.CreateRunAsync(Deploy() with { PendingReason = WaitingReason }, Token);
        var running = await scope.Store.CreateRunAsync(Deploy(), Token);
        var free = await scope.Store.CreateRunAsync(Deploy("release") with { PendingReason = WaitingReason }, Token);
        Assert.Equal(((long?)null, RunStatus.Waiting), (waiting.WaitingBehind, waiting.Status));
        Assert.Equal(RunStatus.Running, running.Status);

        var held = await scope.Store.ApproveRunAsync(waiting.Id, at, Token);
        var started = await scope.Store.ApproveRunAsync(free.Id, at, Token);

        Assert.Equal(
            (RunStatus.Waiting, (long?)running.Id, $"waiting behind run #{running.Number} in concurrency group 'deploy'"),
            (held!.Status, held.WaitingBehind, held.PendingReason));
        Assert.Equal((RunStatus.Running, (long?)null, (string?)null), (started!.Status, started.WaitingBehind, started.PendingReason));
        Assert.Null(await scope.Store.ApproveRunAsync(waiting.Id, at, Token));
        Assert.Null(await scope.Store.ApproveRunAsync(running.Id, at, Token));
        var changes = (await scope.Store.ReadChangesAsync(0, waiting.Id, 10, Token)).Where(c => c.JobId is null).Select(c => (c.Status, c.Detail));
        Assert.Equal([("waiting", WaitingReason), ("waiting", held.PendingReason)], changes);
    }

    [Fact]
    public async Task RepairGroups_StartsTheNextHeldRunOfAGroupNoneOfWhoseRunsRuns_AndFindsStartedRunsWhoseJobsAllWait()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var first = await scope.Store.CreateRunAsync(Deploy(), Token);
        var second = await scope.Store.CreateRunAsync(Deploy(), Token);
        var cancelled = await scope.Store.CreateRunAsync(Deploy("release"), Token);
        var heldButCancelled = await scope.Store.CreateRunAsync(Deploy("release"), Token);
        await scope.Store.RequestCancelAsync(heldButCancelled.Id, "cancelled", at, Token);

        // The run ahead ended, and whoever ended it stopped before starting the next.
        Assert.True(await scope.Store.TryTransitionRunAsync(first.Id, RunStatus.Running, RunStatus.Succeeded, at, Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(cancelled.Id, RunStatus.Running, RunStatus.Failed, at, Token));
        var repaired = await scope.Store.RepairGroupsAsync(at, at, 10, Token);

        Assert.Equal([second.Id], repaired);
        Assert.Equal(RunStatus.Running, (await scope.Store.GetRunAsync(second.Id, Token))!.Status);
        Assert.Equal(RunStatus.Waiting, (await scope.Store.GetRunAsync(heldButCancelled.Id, Token))!.Status);
        Assert.Empty(await scope.Store.RepairGroupsAsync(at, at, 10, Token));
        Assert.Equal([second.Id], await scope.Store.RepairGroupsAsync(at, at.AddMinutes(1), 10, Token));
    }
}
