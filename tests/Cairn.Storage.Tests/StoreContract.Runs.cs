using Cairn.Core.Planning;
using Cairn.Core.Runs;
using System.Data.Common;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What every store must do, whichever database is behind it; a subclass supplies a fresh store per test.</summary>
public abstract partial class StoreContract
{
    /// <summary>A store on an empty database, with a clock the test moves; the test disposes it.</summary>
    protected abstract Task<StoreScope> OpenAsync();

    [Fact]
    public async Task CreateRun_WritesRunningRun_AndWaitingJobsInPlanOrder()
    {
        await using var scope = await OpenAsync();
        var second = new PlannedJob("test", "key-test", ["build"], ["linux", "big"], """{"steps":[]}""");

        var run = await scope.CreateRunAsync(Job("build"), second, Job("deploy"));

        var stored = await scope.Store.GetRunAsync(run.Id, Token);
        Assert.Equal(run, stored, RunComparer);
        Assert.Equal(RunStatus.Running, stored!.Status);
        Assert.Equal("push", stored.Event);
        Assert.Equal("refs/heads/main", stored.Ref);
        Assert.Equal(scope.Time.GetUtcNow(), stored.CreatedAt);
        Assert.Null(stored.FinishedAt);

        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        Assert.Equal(["build", "test", "deploy"], jobs.Select(j => j.Name));
        Assert.All(jobs, j => Assert.Equal((JobStatus.Waiting, 0, run.Id), (j.Status, j.Attempt, j.RunId)));
        Assert.Equal(["build"], jobs[1].Needs);
        Assert.Equal(["linux", "big"], jobs[1].Labels);
        Assert.Equal("key-test", jobs[1].Key);
        Assert.Equal("""{"steps":[]}""", jobs[1].Definition);
        Assert.Equal(jobs[1], await scope.Store.GetJobAsync(jobs[1].Id, Token), JobComparer);
    }

    [Fact]
    public async Task CreateRun_WithTwoJobsOfOneName_FailsAndWritesNothing()
    {
        await using var scope = await OpenAsync();

        var error = await Assert.ThrowsAnyAsync<DbException>(() => scope.CreateRunAsync(Job("build"), Job("test"), Job("build")));

        Assert.Contains("unique", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM runs"));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task CreateRun_WithUsedIdempotencyKey_ReturnsFirstRunAndWritesOnce()
    {
        await using var scope = await OpenAsync();
        var first = await scope.Store.CreateRunAsync(Plan("delivery-1", Job("build")), Token);
        scope.Time.Advance(TimeSpan.FromMinutes(1));

        var again = await scope.Store.CreateRunAsync(Plan("delivery-1", Job("build"), Job("other")), Token);
        var unkeyed = await scope.Store.CreateRunAsync(Plan(null, Job("build")), Token);

        Assert.Equal(first, again, RunComparer);
        Assert.NotEqual(first.Id, unkeyed.Id);
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM runs"));
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task CreateRun_ConcurrentCreatesWithOneKey_YieldOneRun()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var plan = Plan("delivery-7", Job("build"), Job("test"));

        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => (i % 2 == 0 ? scope.Store : other).CreateRunAsync(plan, Token), Token)));

        Assert.Single(runs.Select(r => r.Id).Distinct());
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM runs"));
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task TransitionJob_FromWrongStatus_ReturnsFalseAndLeavesJob()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];

        var moved = await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Queued, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token);

        Assert.False(moved);
        Assert.Equal(job, await scope.Store.GetJobAsync(job.Id, Token), JobComparer);
    }

    [Fact]
    public async Task TransitionJob_ToTerminal_RecordsFinishAndFailure()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"), Job("test"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var at = scope.Time.GetUtcNow();

        Assert.True(await scope.Store.TryTransitionJobAsync(jobs[0].Id, JobStatus.Waiting, JobStatus.Queued, new JobTransition(at), Token));
        Assert.True(await scope.Store.TryTransitionJobAsync(
            jobs[0].Id, JobStatus.Queued, JobStatus.Failed, new JobTransition(at, FailureClass.Config, "secret 'token' is missing"), Token));
        Assert.True(await scope.Store.TryTransitionJobAsync(jobs[1].Id, JobStatus.Waiting, JobStatus.Skipped, new JobTransition(at), Token));

        var failed = await scope.Store.GetJobAsync(jobs[0].Id, Token);
        Assert.Equal((JobStatus.Failed, FailureClass.Config, "secret 'token' is missing", at), (failed!.Status, failed.FailureClass, failed.FailureDetail, failed.FinishedAt));
        var skipped = await scope.Store.GetJobAsync(jobs[1].Id, Token);
        Assert.Equal((JobStatus.Skipped, null, null), (skipped!.Status, skipped.StartedAt, skipped.FinishedAt));
    }

    [Theory]
    [InlineData(JobStatus.Running, JobStatus.Cancelled)]
    [InlineData(JobStatus.Queued, JobStatus.Running)]
    public async Task TransitionJob_IntoOrOutOfRunning_IsRefused(JobStatus from, JobStatus to)
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];

        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.TryTransitionJobAsync(job.Id, from, to, JobTransition.Now(scope.Time), Token));
    }

    [Fact]
    public async Task TransitionRun_IsCompareAndSet_AndRecordsFinish()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var at = scope.Time.GetUtcNow().AddMinutes(3);

        Assert.False(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Waiting, RunStatus.Cancelled, at, Token));
        Assert.Equal(run, await scope.Store.GetRunAsync(run.Id, Token), RunComparer);

        Assert.True(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Succeeded, at, Token));
        Assert.False(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Cancelled, at, Token));
        Assert.Equal(run with { Status = RunStatus.Succeeded, FinishedAt = at }, await scope.Store.GetRunAsync(run.Id, Token), RunComparer);
    }

    [Fact]
    public async Task Get_UnknownIds_ReturnNothing()
    {
        await using var scope = await OpenAsync();

        Assert.Null(await scope.Store.GetRunAsync(42, Token));
        Assert.Null(await scope.Store.GetJobAsync(42, Token));
        Assert.Empty(await scope.Store.GetJobsAsync(42, Token));
    }

    [Fact]
    public async Task JobStatuses_AreReadById_AfterTransitions()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"), Job("b"), Job("c"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        await scope.Store.TryTransitionJobAsync(jobs[0].Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token);
        await scope.Store.TryTransitionJobAsync(jobs[1].Id, JobStatus.Waiting, JobStatus.Skipped, JobTransition.Now(scope.Time), Token);

        var statuses = await scope.Store.GetJobStatusesAsync(run.Id, Token);

        Assert.Equal(3, statuses.Count);
        Assert.Equal(JobStatus.Queued, statuses[jobs[0].Id]);
        Assert.Equal(JobStatus.Skipped, statuses[jobs[1].Id]);
        Assert.Equal(JobStatus.Waiting, statuses[jobs[2].Id]);
    }

    [Fact]
    public async Task LastLogSequence_IsZeroForAnEmptyLog_ThenTheHighestWritten()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        Assert.Equal(0, await scope.Store.GetLastLogSequenceAsync(job.Id, Token));

        var now = scope.Time.GetUtcNow();
        await scope.Store.AppendLogAsync(job.Id, [new(1, 0, Core.Logs.LogStream.Stdout, now, "one"), new(2, 0, Core.Logs.LogStream.Stdout, now, "two")], Token);

        Assert.Equal(2, await scope.Store.GetLastLogSequenceAsync(job.Id, Token));
    }
}
