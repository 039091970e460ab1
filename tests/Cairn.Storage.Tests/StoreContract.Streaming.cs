using Cairn.Core.Logs;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Following a job's log, where the change feed stands, and forgetting old runs.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task WaitForLog_ReturnsAtOnce_WhenLinesAfterTheSequenceAreStored()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        await scope.Store.AppendLogAsync(jobId, Lines(scope, 1, 3), Token);

        // The clock never moves: only lines already there can end these waits.
        await scope.Store.WaitForLogAsync(jobId, 0, TimeSpan.FromMinutes(1), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
        await scope.Store.WaitForLogAsync(jobId, 2, TimeSpan.FromMinutes(1), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task WaitForLog_WakesWhenLinesAfterTheSequenceAreAppendedToItsJob_AndNotForAnotherJob()
    {
        await using var scope = await OpenAsync();
        var jobs = await scope.QueueJobsAsync(2);
        await scope.Store.AppendLogAsync(jobs[0], Lines(scope, 1, 3), Token);
        var wait = scope.Store.WaitForLogAsync(jobs[0], 3, TimeSpan.FromMinutes(1), Token);
        var other = scope.Store.WaitForLogAsync(jobs[1], 0, TimeSpan.FromMinutes(1), Token);
        await Task.Delay(100, Token);
        Assert.False(wait.IsCompleted);

        await scope.Store.AppendLogAsync(jobs[0], Lines(scope, 4, 5), Token);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(other.IsCompleted);
        Assert.Equal([4L, 5L], (await scope.Store.ReadLogAsync(jobs[0], 3, 100, Token)).Select(l => l.Sequence));
    }

    [Fact]
    public async Task WaitForLog_ReturnsAfterMaxWait_WithNothingAppended_AndThrowsWhenCancelled()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var wait = scope.Store.WaitForLogAsync(jobId, 0, TimeSpan.FromSeconds(15), Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var cancelled = scope.Store.WaitForLogAsync(jobId, 0, TimeSpan.FromMinutes(1), cancel.Token);
        await Task.Delay(100, Token);
        Assert.False(wait.IsCompleted);

        scope.Time.Advance(TimeSpan.FromSeconds(16));
        await cancel.CancelAsync();

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Empty(await scope.Store.ReadLogAsync(jobId, 0, 10, Token));
    }

    [Fact]
    public async Task LatestChangeId_IsTheNewestChange_SoReadingOnFromItGivesOnlyLaterChanges()
    {
        await using var scope = await OpenAsync();
        Assert.Equal(0, await scope.Store.GetLatestChangeIdAsync(Token));
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var all = await scope.Store.ReadChangesAsync(0, null, 100, Token);

        var latest = await scope.Store.GetLatestChangeIdAsync(Token);
        await scope.Store.TryTransitionJobAsync(jobId, JobStatus.Queued, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token);

        Assert.Equal(all[^1].Id, latest);
        var later = Assert.Single(await scope.Store.ReadChangesAsync(latest, null, 100, Token));
        Assert.Equal((jobId, "cancelled"), (later.JobId, later.Status));
    }

    [Fact]
    public async Task DeleteRunsFinishedBefore_RemovesOldEndedRunsWithAllTheirRows_AndKeepsRunningAndRecentRuns()
    {
        await using var scope = await OpenAsync();
        var old = await EndedRunWithLogAsync(scope, RunStatus.Failed);
        var stillRunning = await scope.CreateRunAsync(Job("deploy"));
        await AppendToFirstJobAsync(scope, stillRunning.Id);
        scope.Time.Advance(TimeSpan.FromDays(10));
        var recent = await EndedRunWithLogAsync(scope, RunStatus.Succeeded);
        await scope.CreateRunAsync(Job("newest"));
        var oldJobs = (await scope.Store.GetJobsAsync(old.Id, Token)).Select(j => j.Id).ToList();

        var removed = await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token);
        var again = await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token);

        Assert.Equal((1, 0), (removed, again));
        Assert.Null(await scope.Store.GetRunAsync(old.Id, Token));
        Assert.Empty(await scope.Store.GetJobsAsync(old.Id, Token));
        foreach (var job in oldJobs)
        {
            Assert.Empty(await scope.Store.ReadLogAsync(job, 0, 10, Token));
            Assert.Empty(await scope.Store.GetStepsAsync(job, Token));
        }

        Assert.Empty(await scope.Store.ReadChangesAsync(0, old.Id, 100, Token));
        Assert.Equal(3, scope.Scalar("SELECT count(*) FROM runs"));
        Assert.Equal(RunStatus.Running, (await scope.Store.GetRunAsync(stillRunning.Id, Token))!.Status);
        Assert.NotEmpty(await scope.Store.ReadLogAsync((await scope.Store.GetJobsAsync(stillRunning.Id, Token))[0].Id, 0, 10, Token));
        Assert.NotEmpty(await scope.Store.ReadLogAsync((await scope.Store.GetJobsAsync(recent.Id, Token))[0].Id, 0, 10, Token));
        Assert.NotEmpty(await scope.Store.ReadChangesAsync(0, recent.Id, 100, Token));
    }

    [Fact]
    public async Task DeleteRunsFinishedBefore_TakesTheOldestFirst_AtMostTheLimitAtATime()
    {
        await using var scope = await OpenAsync();
        var runs = new List<RunRecord>();
        for (var i = 0; i < 4; i++)
        {
            runs.Add(await EndedRunWithLogAsync(scope, RunStatus.Succeeded));
        }

        scope.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(2, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow(), 2, Token));
        Assert.Null(await scope.Store.GetRunAsync(runs[0].Id, Token));
        Assert.Null(await scope.Store.GetRunAsync(runs[1].Id, Token));
        Assert.NotNull(await scope.Store.GetRunAsync(runs[2].Id, Token));
        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow(), 2, Token));

        // The newest run stays, however old, so that its id and its jobs' are never given to another.
        Assert.Equal(0, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow(), 2, Token));
        Assert.Equal(runs[3].Id, scope.Scalar("SELECT id FROM runs"));
        var next = await scope.CreateRunAsync(Job("build"));
        Assert.True(next.Id > runs[3].Id);
    }

    [Fact]
    public async Task DeleteRunsFinishedBefore_KeepsTheFeedsNewestChange_SoChangeIdsNeverGoBack()
    {
        await using var scope = await OpenAsync();
        var old = await scope.CreateRunAsync(Job("build"));
        var newest = await scope.CreateRunAsync(Job("build"));
        await EndAsync(scope, old, RunStatus.Cancelled);
        var latest = await scope.Store.GetLatestChangeIdAsync(Token);
        scope.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow(), 10, Token));
        Assert.Equal(latest, await scope.Store.GetLatestChangeIdAsync(Token));
        var job = (await scope.Store.GetJobsAsync(newest.Id, Token))[0];
        await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token);

        // The change made after the removal comes after the cursor a reader held then.
        var change = Assert.Single(await scope.Store.ReadChangesAsync(latest, null, 100, Token));
        Assert.Equal((newest.Id, job.Id, "cancelled"), (change.RunId, change.JobId, change.Status));
        Assert.Null(await scope.Store.GetRunAsync(old.Id, Token));
    }

    private static IReadOnlyList<StoredLogLine> Lines(StoreScope scope, long from, long to) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new StoredLogLine(i, 0, LogStream.Stdout, scope.Time.GetUtcNow(), $"line {i}"))];

    private static async Task AppendToFirstJobAsync(StoreScope scope, long runId)
    {
        var job = (await scope.Store.GetJobsAsync(runId, Token))[0];
        await scope.Store.AppendLogAsync(job.Id, Lines(scope, 1, 3), Token);
        await scope.Store.SaveStepAsync(new StepRecord(job.Id, 0, "build", StepStatus.Succeeded, 0, scope.Time.GetUtcNow(), scope.Time.GetUtcNow()), Token);
    }

    /// <summary>A run of two jobs, the first with steps and log lines, both ended, and the run ended now.</summary>
    private static async Task<RunRecord> EndedRunWithLogAsync(StoreScope scope, RunStatus status)
    {
        var run = await scope.CreateRunAsync(Job("build"), Job("test"));
        await AppendToFirstJobAsync(scope, run.Id);
        await EndAsync(scope, run, status);
        return run;
    }

    private static async Task EndAsync(StoreScope scope, RunRecord run, RunStatus status)
    {
        foreach (var job in await scope.Store.GetJobsAsync(run.Id, Token))
        {
            Assert.True(await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token));
        }

        Assert.True(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, status, scope.Time.GetUtcNow(), Token));
    }
}
