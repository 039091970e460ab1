using Cairn.Core.Planning;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What a coordinator releases: jobs queued by the run's creation, and many waiting jobs queued in one call.</summary>
public abstract partial class StoreContract
{
    private static PlannedJob Starting(string name) => Job(name) with { StartsQueued = true };

    [Fact]
    public async Task QueueJobs_QueuesOnlyTheJobsStillWaiting_AndRecordsEachInTheFeed()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"), Job("b"), Job("c"), Job("d"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.True(await scope.Store.TryTransitionJobAsync(jobs[2].Id, JobStatus.Waiting, JobStatus.Skipped, JobTransition.Now(scope.Time), Token));
        var before = await scope.Store.GetLatestChangeIdAsync(Token);
        scope.Time.Advance(TimeSpan.FromSeconds(5));

        var queued = await scope.Store.QueueJobsAsync(run.Id, [jobs[0].Id, jobs[1].Id, jobs[2].Id], JobTransition.Now(scope.Time), Token);
        var again = await scope.Store.QueueJobsAsync(run.Id, [jobs[0].Id, jobs[1].Id], JobTransition.Now(scope.Time), Token);

        Assert.Equal([jobs[0].Id, jobs[1].Id], queued.Order());
        Assert.Empty(again);
        var stored = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.Equal(
            [JobStatus.Queued, JobStatus.Queued, JobStatus.Skipped, JobStatus.Waiting],
            stored.Select(j => j.Status));
        var changes = await scope.Store.ReadChangesAsync(before, run.Id, 100, Token);
        Assert.Equal([(jobs[0].Id, "queued"), (jobs[1].Id, "queued")], changes.Select(c => (c.JobId ?? 0, c.Status.ToWire())).Order());
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal(scope.Time.GetUtcNow(), lease!.QueuedAt);
    }

    [Fact]
    public async Task QueueJobs_IsRefused_OnceTheRunsCancelIsRequested()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"), Job("b"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.True(await scope.Store.RequestCancelAsync(run.Id, "stop", scope.Time.GetUtcNow(), Token));

        var queued = await scope.Store.QueueJobsAsync(run.Id, [.. jobs.Select(j => j.Id)], JobTransition.Now(scope.Time), Token);

        Assert.Empty(queued);
        Assert.All(await scope.Store.GetJobsAsync(run.Id, Token), j => Assert.Equal(JobStatus.Waiting, j.Status));
    }

    [Fact]
    public async Task QueueJobs_TouchesOnlyTheJobsOfTheRunNamed()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"));
        var other = await scope.CreateRunAsync(Job("a"));
        var mine = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        var theirs = (await scope.Store.GetJobsAsync(other.Id, Token))[0];

        var queued = await scope.Store.QueueJobsAsync(run.Id, [mine.Id, theirs.Id], JobTransition.Now(scope.Time), Token);
        var statuses = await scope.Store.GetJobStatusesAsync(run.Id, [mine.Id, theirs.Id], Token);

        Assert.Equal([mine.Id], queued);
        Assert.Equal(JobStatus.Waiting, (await scope.Store.GetJobAsync(theirs.Id, Token))!.Status);
        Assert.Equal(new Dictionary<long, JobStatus> { [mine.Id] = JobStatus.Queued }, statuses);
    }

    [Fact]
    public async Task QueueJobs_WakesAWaitingWorker()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"), Job("b"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));

        // The clock never moves, so only the wake-up can end the wait; the signal counts, so a wait begun after the
        // queueing still sees it (another instance on PostgreSQL: PostgresStoreTests).
        var waiting = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(5), Token);
        await scope.Store.QueueJobsAsync(run.Id, [.. jobs.Select(j => j.Id)], JobTransition.Now(scope.Time), Token);

        await waiting.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.NotNull(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));
    }

    [Fact]
    public async Task GetRunState_SaysTheRunsStatusAndCancelRequest()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"));

        var running = await scope.Store.GetRunStateAsync(run.Id, Token);
        Assert.True(await scope.Store.RequestCancelAsync(run.Id, "stop", scope.Time.GetUtcNow(), Token));
        var cancelling = await scope.Store.GetRunStateAsync(run.Id, Token);

        Assert.Equal(new RunState(RunStatus.Running, false, null), running);
        Assert.Equal(new RunState(RunStatus.Running, true, "stop"), cancelling);
        Assert.Null(await scope.Store.GetRunStateAsync(run.Id + 1000, Token));
    }

    [Fact]
    public async Task CreateRun_QueuesTheJobsThatStartQueued_WhenItStartsRunning()
    {
        await using var scope = await OpenAsync();

        var run = await scope.Store.CreateRunAsync(Plan(null, Starting("a"), Job("b"), Starting("c") with { ReusedFrom = 9 }), Token);

        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.Equal([JobStatus.Queued, JobStatus.Waiting, JobStatus.Succeeded], jobs.Select(j => j.Status));
        var changes = await scope.Store.ReadChangesAsync(0, run.Id, 100, Token);
        Assert.Contains(changes, c => c.JobId == jobs[0].Id && c.Status.ToWire() == "queued");
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Equal(jobs[0].Id, lease!.JobId);
    }

    [Fact]
    public async Task CreateRun_QueuesNothing_WhenTheRunWaitsForApproval_OrIsHeldInItsGroup()
    {
        await using var scope = await OpenAsync();
        var ahead = await scope.Store.CreateRunAsync(Deploy() with { Jobs = [Starting("build")] }, Token);

        var approval = await scope.Store.CreateRunAsync(Plan(null, Starting("a")) with { PendingReason = "waiting for approval" }, Token);
        var held = await scope.Store.CreateRunAsync(Deploy() with { Jobs = [Starting("build")] }, Token);

        Assert.Equal(RunStatus.Running, ahead.Status);
        Assert.Equal((RunStatus.Waiting, RunStatus.Waiting), (approval.Status, held.Status));
        Assert.Equal(JobStatus.Queued, (await scope.Store.GetJobsAsync(ahead.Id, Token))[0].Status);
        Assert.Equal(JobStatus.Waiting, (await scope.Store.GetJobsAsync(approval.Id, Token))[0].Status);
        Assert.Equal(JobStatus.Waiting, (await scope.Store.GetJobsAsync(held.Id, Token))[0].Status);
    }
}
