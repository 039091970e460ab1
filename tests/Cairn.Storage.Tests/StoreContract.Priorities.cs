using System.Collections.Concurrent;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Lease_TakesHighBeforeNormalBeforeLow_ThenTheOldest()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(
            Ranked("low-1", JobPriority.Low), Ranked("normal-1", JobPriority.Normal), Ranked("high-1", JobPriority.High),
            Ranked("normal-2", JobPriority.Normal), Ranked("high-2", JobPriority.High));
        var older = await QueueAllAsync(scope, run);
        var newer = await QueueAllAsync(scope, await scope.CreateRunAsync(Ranked("high-3", JobPriority.High)));

        var order = new List<string>();
        while (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token) is { } lease)
        {
            order.Add(lease.Job.Name);
        }

        Assert.Equal(["high-1", "high-2", "high-3", "normal-1", "normal-2", "low-1"], order);
        Assert.Equal(6, older.Count + newer.Count);
    }

    [Fact]
    public async Task Lease_ByPriority_StillWaitsForRetryTimeAndLabels()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Ranked("flaky", JobPriority.High), Ranked("gpu", JobPriority.High, "gpu"), Ranked("plain", JobPriority.Low));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        await QueueAsync(scope, jobs[0].Id);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal("flaky", first!.Job.Name);
        Assert.True(await scope.Store.CompleteAsync(first, Failure(scope, scope.Time.GetUtcNow().AddSeconds(10)), Token));
        await QueueAsync(scope, jobs[1].Id);
        await QueueAsync(scope, jobs[2].Id);

        // The high jobs are passed over: one waits for its retry time, the other for a worker with its label.
        Assert.Equal("plain", (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token))?.Job.Name);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));

        scope.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("flaky", (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token))?.Job.Name);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));
        Assert.Equal("gpu", (await scope.Store.TryLeaseAsync("worker-2", ["gpu"], Token))?.Job.Name);
    }

    [Fact]
    public async Task Lease_PassesOverARepositoryAtItsLimit_AndLeasesAnothersJobs()
    {
        await using var scope = await OpenAsync();
        Assert.True(await scope.Store.AddRepositoryAsync(LimitedRepository(scope, "acme/widgets", 2), Token));
        var widgets = await QueueAllAsync(scope, await scope.Store.CreateRunAsync(PlanOf("Acme/Widgets", Job("w1"), Job("w2"), Job("w3")), Token));
        var gadgets = await QueueAllAsync(scope, await scope.Store.CreateRunAsync(PlanOf("acme/gadgets", Ranked("g1", JobPriority.Low)), Token));

        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var second = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var third = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        Assert.Equal([widgets[0], widgets[1], gadgets[0]], [first!.JobId, second!.JobId, third!.JobId]);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));
        Assert.Equal(2, await scope.Store.CountRunningJobsAsync("ACME/widgets", Token));

        Assert.True(await scope.Store.CompleteAsync(first, Success(scope), Token));
        Assert.Equal(widgets[2], (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token))?.JobId);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));
    }

    [Fact]
    public async Task Lease_NeverPassesARepositoryLimit_UnderConcurrentClaims()
    {
        const int Limit = 3;
        const int Count = 40;
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        Assert.True(await scope.Store.AddRepositoryAsync(LimitedRepository(scope, "acme/widgets", Limit), Token));
        var plan = PlanOf("acme/widgets", [.. Enumerable.Range(1, Count).Select(i => Job($"job-{i}"))]);
        var queued = await QueueAllAsync(scope, await scope.Store.CreateRunAsync(plan, Token));

        // Every claimer asks until it finds nothing, finishing none: together they must stop at the limit.
        var held = new ConcurrentBag<JobLease>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(
            async () =>
            {
                var queue = worker % 2 == 0 ? scope.Store : other;
                while (await queue.TryLeaseAsync($"worker-{worker}", AnyLabels, Token) is { } lease)
                {
                    held.Add(lease);
                }
            },
            Token)));
        Assert.Equal(Limit, held.Count);
        Assert.Equal(Limit, scope.Scalar("SELECT count(*) FROM jobs WHERE status = 'running'"));

        // Then every claimer finishes what it leases while the others claim: the running count is never over the limit.
        var counts = new ConcurrentBag<long>();
        var done = new ConcurrentBag<long>();
        foreach (var lease in held)
        {
            Assert.True(await scope.Store.CompleteAsync(lease, Success(scope), Token));
            done.Add(lease.JobId);
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(
            async () =>
            {
                var queue = worker % 2 == 0 ? scope.Store : other;
                while (done.Count < Count)
                {
                    if (await queue.TryLeaseAsync($"worker-{worker}", AnyLabels, Token) is not { } lease)
                    {
                        await Task.Yield();
                        continue;
                    }

                    counts.Add(scope.Scalar("SELECT count(*) FROM jobs WHERE status = 'running'"));
                    Assert.True(await queue.CompleteAsync(lease, Success(scope), Token));
                    done.Add(lease.JobId);
                }
            },
            Token)));

        Assert.Equal(queued.Order(), done.Order());
        Assert.NotEmpty(counts);
        Assert.All(counts, count => Assert.InRange(count, 1, Limit));
    }

    [Fact]
    public async Task RepositoryLimit_IsSetChangedAndRemoved_OtherSettingsStaying()
    {
        await using var scope = await OpenAsync();
        Assert.True(await scope.Store.AddRepositoryAsync(LimitedRepository(scope, "acme/widgets", 4) with { Public = true }, Token));
        Assert.Equal(4, (await scope.Store.GetRepositoryAsync("acme/widgets", Token))!.MaxRunningJobs);

        var changed = await scope.Store.UpdateRepositoryAsync("acme/widgets", new RepositorySettingsChange(MaxRunningJobs: 7), Token);
        Assert.Equal((7, true), (changed!.MaxRunningJobs, changed.Public));

        var kept = await scope.Store.UpdateRepositoryAsync("acme/widgets", new RepositorySettingsChange(AllowForkSecrets: true), Token);
        Assert.Equal(7, kept!.MaxRunningJobs);

        var removed = await scope.Store.UpdateRepositoryAsync("acme/widgets", new RepositorySettingsChange(MaxRunningJobs: 0), Token);
        Assert.Null(removed!.MaxRunningJobs);
        Assert.Null((await scope.Store.GetRepositoryAsync("ACME/WIDGETS", Token))!.MaxRunningJobs);
    }

    [Fact]
    public async Task Jobs_KeepThePlannedPriority_NormalByDefault()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Ranked("a", JobPriority.High), Job("b"), Ranked("c", JobPriority.Low));

        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);

        Assert.Equal([0L, 1L, 2L], jobs.Select(j => scope.Scalar($"SELECT priority FROM jobs WHERE id = {j.Id}")));
    }

    private static PlannedJob Ranked(string name, JobPriority priority, params string[] labels) => Job(name, labels) with { Priority = priority };

    private static RunPlan PlanOf(string repository, params PlannedJob[] jobs) => new(
        "build", new TriggerEvent(TriggerKind.Push, repository, "refs/heads/main", "abc123", new Dictionary<string, string>()), jobs);

    private static RepositoryRecord LimitedRepository(StoreScope scope, string name, int limit) => new(
        name, ForgeKind.GitHub, $"https://github.com/{name}.git", "https://api.github.com", "main", null, null, scope.Time.GetUtcNow())
    {
        MaxRunningJobs = limit,
    };

    private static async Task<List<long>> QueueAllAsync(StoreScope scope, RunRecord run)
    {
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        foreach (var job in jobs)
        {
            await QueueAsync(scope, job.Id);
        }

        return [.. jobs.Select(j => j.Id)];
    }
}
