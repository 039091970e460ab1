using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The order of queued jobs within a priority: a run's jobs queued together are a second apart in the queue, from
/// where the queue stands (the clock, or the round the workers are on during a backlog), so a burst of runs has each run's
/// first job claimed before any run's second; a retry stands at its retry time.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Lease_TakesEveryRunsFirstJob_BeforeAnyRunsSecond_WhenRunsArriveTogether()
    {
        await using var scope = await OpenAsync();
        var runs = new List<IReadOnlyList<JobRecord>>();
        for (var i = 0; i < 3; i++)
        {
            var run = await scope.CreateRunAsync(Starting($"r{i}-a"), Starting($"r{i}-b"), Starting($"r{i}-c"));
            runs.Add(await scope.Store.GetJobsAsync(run.Id, Token));
            scope.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Two more runs whose jobs the coordinator releases together, as it does when they wait for nothing but a turn.
        for (var i = 3; i < 5; i++)
        {
            var run = await scope.CreateRunAsync(Job($"r{i}-a"), Job($"r{i}-b"), Job($"r{i}-c"));
            var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
            Assert.Equal(3, (await scope.Store.QueueJobsAsync(run.Id, [.. jobs.Select(j => j.Id).Reverse()], JobTransition.Now(scope.Time), Token)).Count);
            scope.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        var order = await LeaseAllAsync(scope);

        Assert.Equal(
            ["r0-a", "r1-a", "r2-a", "r3-a", "r4-a", "r0-b", "r1-b", "r2-b", "r3-b", "r4-b", "r0-c", "r1-c", "r2-c", "r3-c", "r4-c"],
            order);
    }

    [Fact]
    public async Task Lease_TakesALaterRunsFirstJob_BeforeTheRestOfABigRunQueuedEarlier()
    {
        await using var scope = await OpenAsync();
        var big = await scope.CreateRunAsync([.. Enumerable.Range(0, 100).Select(i => Starting($"big-{i:D3}"))]);
        scope.Time.Advance(TimeSpan.FromSeconds(5.5));
        await scope.CreateRunAsync(Starting("late"));

        var order = await LeaseAllAsync(scope);

        // Queued 5.5 s after the big run, the late run waits for the six of its jobs keyed in the slices before.
        Assert.Equal("late", order[6]);
        Assert.Equal([.. Enumerable.Range(0, 100).Select(i => $"big-{i:D3}")], order.Where(name => name != "late"));
    }

    [Fact]
    public async Task Lease_PutsARunQueuedDuringABacklog_IntoTheRoundTheWorkersAreOn()
    {
        await using var scope = await OpenAsync();
        await scope.CreateRunAsync([.. Enumerable.Range(0, 10).Select(i => Starting($"early-{i}"))]);
        var serving = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal("early-0", serving!.Job.Name);

        // The workers are still on the early run's first slice when two runs arrive 5.5 s later, one queued at its
        // creation, one by the coordinator's release: neither waits behind the early run's jobs keyed meanwhile.
        scope.Time.Advance(TimeSpan.FromSeconds(5.5));
        await scope.CreateRunAsync(Starting("late-a"), Starting("late-b"));
        var released = await scope.CreateRunAsync(Job("released-a"));
        Assert.Single(await scope.Store.QueueJobsAsync(
            released.Id, [(await scope.Store.GetJobsAsync(released.Id, Token))[0].Id], JobTransition.Now(scope.Time), Token));

        var order = await LeaseAllAsync(scope);

        Assert.Equal(["late-a", "released-a", "early-1", "late-b", "early-2"], order.Take(5));
    }

    [Fact]
    public async Task Lease_NeverTakesAFirstJob_BeforeTheFirstJobOfARunThatArrivedEarlierAndStillWaits()
    {
        await using var scope = await OpenAsync();
        await scope.CreateRunAsync(Starting("early-a"), Starting("early-b"));
        var earlyA = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal("early-a", earlyA!.Job.Name);
        Assert.True(await scope.Store.CompleteAsync(earlyA, Success(scope), Token));
        var earlyB = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal("early-b", earlyB!.Job.Name);

        // The workers are on the early run's second slice, ahead of the clock: two runs arriving now stand at the clock,
        // before that slice. One worker takes the first of them; the early run's second job ends.
        scope.Time.Advance(TimeSpan.FromMilliseconds(100));
        await scope.CreateRunAsync(Starting("mid1-a"), Starting("mid1-b"));
        scope.Time.Advance(TimeSpan.FromMilliseconds(100));
        await scope.CreateRunAsync(Starting("mid2-a"), Starting("mid2-b"));
        var mid1A = await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token);
        Assert.Equal("mid1-a", mid1A!.Job.Name);
        Assert.True(await scope.Store.CompleteAsync(earlyB, Success(scope), Token));

        // The one running job is now keyed before mid2-a, which still waits for its first turn. A run arriving now, queued
        // at its creation or by the coordinator's release, must not go ahead of it.
        scope.Time.Advance(TimeSpan.FromMilliseconds(100));
        await scope.CreateRunAsync(Starting("late-a"), Starting("late-b"));
        var released = await scope.CreateRunAsync(Job("released-a"));
        Assert.Single(await scope.Store.QueueJobsAsync(
            released.Id, [(await scope.Store.GetJobsAsync(released.Id, Token))[0].Id], JobTransition.Now(scope.Time), Token));

        Assert.Equal(["mid2-a", "late-a", "released-a", "mid1-b", "mid2-b", "late-b"], await LeaseAllAsync(scope));
    }

    [Fact]
    public async Task Lease_TakesAHigherPriority_BeforeAnyFairKey()
    {
        await using var scope = await OpenAsync();
        await scope.CreateRunAsync(Starting("normal-a"), Starting("normal-b"));
        scope.Time.Advance(TimeSpan.FromMinutes(10));
        await scope.CreateRunAsync(Starting("low-late") with { Priority = JobPriority.Low }, Starting("normal-late"), Starting("high-late") with { Priority = JobPriority.High });

        var order = await LeaseAllAsync(scope);

        // high-late is its run's third, queued ten minutes after the others: its priority still puts it first.
        Assert.Equal(["high-late", "normal-a", "normal-b", "normal-late", "low-late"], order);
    }

    [Fact]
    public async Task Lease_TakesARetry_AtItsRetryTime_AmongJobsQueuedMeanwhile()
    {
        await using var scope = await OpenAsync();
        await scope.CreateRunAsync(Starting("flaky"));
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal("flaky", first!.Job.Name);
        Assert.True(await scope.Store.CompleteAsync(first, Failure(scope, scope.Time.GetUtcNow().AddSeconds(10)), Token));

        scope.Time.Advance(TimeSpan.FromSeconds(5));
        await scope.CreateRunAsync(Starting("before-the-retry"));
        scope.Time.Advance(TimeSpan.FromSeconds(10));
        await scope.CreateRunAsync(Starting("after-the-retry"));

        // flaky has the smallest id, but its place is its retry time: between the two queued 5 s before and after it.
        var order = await LeaseAllAsync(scope);

        Assert.Equal(["before-the-retry", "flaky", "after-the-retry"], order);
    }

    [Fact]
    public async Task Lease_TakesJobsQueuedAtOneMoment_ById()
    {
        await using var scope = await OpenAsync();
        var one = await scope.CreateRunAsync(Job("one-a"), Job("one-b"));
        var two = await scope.CreateRunAsync(Job("two-a"), Job("two-b"));
        var jobs = (await scope.Store.GetJobsAsync(one.Id, Token)).Concat(await scope.Store.GetJobsAsync(two.Id, Token)).ToList();

        // Queued one by one at the same moment, each first of what its run queued then: the same key, so the id decides.
        foreach (var job in jobs.AsEnumerable().Reverse())
        {
            await QueueAsync(scope, job.Id);
        }

        Assert.Equal(["one-a", "one-b", "two-a", "two-b"], await LeaseAllAsync(scope));
    }

    private static async Task<List<string>> LeaseAllAsync(StoreScope scope)
    {
        var order = new List<string>();
        while (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token) is { } lease)
        {
            order.Add(lease.Job.Name);
        }

        return order;
    }
}
