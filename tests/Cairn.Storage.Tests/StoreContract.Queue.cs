using System.Collections.Concurrent;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public abstract partial class StoreContract
{
    private static readonly string[] AnyLabels = [];

    [Fact]
    public async Task Lease_TakesQueuedJobsInOrder_AndMarksThemRunning()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("a"), Job("b"), Job("c"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        await QueueAsync(scope, jobs[2].Id);
        await QueueAsync(scope, jobs[1].Id);

        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var second = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var none = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        Assert.Equal([jobs[1].Id, jobs[2].Id], [first!.JobId, second!.JobId]);
        Assert.Null(none);
        Assert.Equal((run.Id, "worker-1", 1), (first.RunId, first.WorkerId, first.Attempt));
        Assert.Equal(scope.Time.GetUtcNow() + LeaseDuration, first.ExpiresAt);
        Assert.Equal((JobStatus.Running, 1, scope.Time.GetUtcNow()), (first.Job.Status, first.Job.Attempt, first.Job.StartedAt));
        Assert.Equal(first.Job, await scope.Store.GetJobAsync(first.JobId, Token), JobComparer);
        Assert.Equal(JobStatus.Waiting, (await scope.Store.GetJobAsync(jobs[0].Id, Token))!.Status);
    }

    [Fact]
    public async Task Lease_IsExclusive_UnderConcurrentWorkers()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var queued = await scope.QueueJobsAsync(200);
        var leased = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(
            async () =>
            {
                var queue = worker % 2 == 0 ? scope.Store : other;
                while (await queue.TryLeaseAsync($"worker-{worker}", AnyLabels, Token) is { } lease)
                {
                    leased.Add(lease.JobId);
                }
            },
            Token)));

        Assert.Equal(200, leased.Count);
        Assert.Equal(queued.Order(), leased.Order());
        Assert.Equal(200, scope.Scalar("SELECT count(*) FROM jobs WHERE status = 'running' AND attempt = 1"));
    }

    [Theory]
    [InlineData("linux", "linux,big", true)]
    [InlineData("linux", "windows", false)]
    [InlineData("linux,big", "linux", false)]
    [InlineData("", "windows", true)]
    [InlineData("", "", true)]
    public async Task Lease_OffersOnlyJobsWhoseLabelsTheWorkerHas(string jobLabels, string workerLabels, bool leased)
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build", Split(jobLabels)));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        await QueueAsync(scope, job.Id);

        var lease = await scope.Store.TryLeaseAsync("worker-1", Split(workerLabels), Token);

        Assert.Equal(leased, lease is not null);
    }

    [Fact]
    public async Task Lease_WaitsForRetryTime()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var retryAt = scope.Time.GetUtcNow().AddSeconds(10);
        Assert.True(await scope.Store.CompleteAsync(lease!, Failure(scope, retryAt), Token));

        scope.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));

        scope.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(jobId, (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token))?.JobId);
    }

    [Fact]
    public async Task Complete_WritesOutcome_AndEndsTheLease()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        scope.Time.Advance(TimeSpan.FromSeconds(5));
        var completion = Failure(scope, retryAt: null);

        Assert.True(await scope.Store.CompleteAsync(lease!, completion, Token));

        var job = await scope.Store.GetJobAsync(lease!.JobId, Token);
        Assert.Equal(
            (JobStatus.Failed, 2, FailureClass.Script, "step 'test' exited with 2", completion.StartedAt, completion.FinishedAt),
            (job!.Status, job.ExitCode, job.FailureClass, job.FailureDetail, job.StartedAt, job.FinishedAt));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM jobs WHERE lease_id IS NOT NULL OR lease_owner IS NOT NULL"));
    }

    [Fact]
    public async Task Complete_WithStaleLease_ReturnsFalseAndChangesNothing()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var stale = lease! with { LeaseId = Guid.NewGuid() };

        Assert.False(await scope.Store.CompleteAsync(stale, Success(scope), Token));
        Assert.Equal(lease.Job, await scope.Store.GetJobAsync(lease.JobId, Token), JobComparer);

        Assert.True(await scope.Store.CompleteAsync(lease, Success(scope), Token));
        Assert.False(await scope.Store.CompleteAsync(lease, Failure(scope, retryAt: null), Token));
        Assert.Equal(JobStatus.Succeeded, (await scope.Store.GetJobAsync(lease.JobId, Token))!.Status);
    }

    [Fact]
    public async Task Extend_PushesExpiry_UntilTheLeaseEnds()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        scope.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(LeaseState.Held, await scope.Store.ExtendAsync(lease!, Token));
        Assert.Equal(
            (scope.Time.GetUtcNow() + LeaseDuration).ToUnixTimeMilliseconds(),
            scope.Scalar($"SELECT lease_expires_at FROM jobs WHERE id = {lease!.JobId}"));
        Assert.Equal(LeaseState.Lost, await scope.Store.ExtendAsync(lease with { LeaseId = Guid.NewGuid() }, Token));

        Assert.True(await scope.Store.CompleteAsync(lease, Success(scope), Token));
        Assert.Equal(LeaseState.Lost, await scope.Store.ExtendAsync(lease, Token));
    }

    [Fact]
    public async Task Complete_WithRetryAt_RequeuesForAnotherAttempt()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        Assert.True(await scope.Store.CompleteAsync(first!, Failure(scope, scope.Time.GetUtcNow()), Token));

        var waiting = await scope.Store.GetJobAsync(first!.JobId, Token);
        Assert.Equal((JobStatus.Queued, 2, FailureClass.Script, null), (waiting!.Status, waiting.ExitCode, waiting.FailureClass, waiting.FinishedAt));
        var second = await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token);
        Assert.Equal((first.JobId, 2, JobStatus.Running), (second!.JobId, second.Attempt, second.Job.Status));
        Assert.NotEqual(first.LeaseId, second.LeaseId);
        Assert.False(await scope.Store.CompleteAsync(first, Success(scope), Token));
    }

    [Fact]
    public async Task RequeuedJob_ShowsItsRetryTime_UntilItIsLeasedAgain()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var retryAt = RecordRowsTime(scope.Time.GetUtcNow().AddMinutes(2));

        Assert.True(await scope.Store.CompleteAsync(first!, Failure(scope, retryAt), Token));

        Assert.Equal(retryAt, (await scope.Store.GetJobAsync(first!.JobId, Token))!.RetryAt);
        Assert.Equal(retryAt, (await scope.Store.GetJobsAsync(first.RunId, Token))[0].RetryAt);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token));

        scope.Time.Advance(TimeSpan.FromMinutes(3));
        var second = await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token);
        Assert.Null(second!.Job.RetryAt);
        Assert.Null((await scope.Store.GetJobAsync(first.JobId, Token))!.RetryAt);
    }

    private static DateTimeOffset RecordRowsTime(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    [Fact]
    public async Task Complete_WithNonTerminalStatusAndNoRetry_IsRefused()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.CompleteAsync(lease!, Success(scope) with { Status = JobStatus.Queued }, Token));
    }

    [Fact]
    public async Task WaitForWork_Wakes_WhenAJobIsQueued()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];

        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(wait.IsCompleted);
        await QueueAsync(scope, job.Id);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task WaitForWork_DoesNotMissAJobQueuedJustBeforeWaiting()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        Assert.Null(await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token));
        await QueueAsync(scope, (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id);

        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task WaitForWork_ReturnsAfterMaxWait_WhenNothingIsQueued()
    {
        await using var scope = await OpenAsync();

        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromSeconds(5), Token);
        scope.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);
        scope.Time.Advance(TimeSpan.FromSeconds(1));

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task WaitForWork_Throws_WhenCancelled()
    {
        await using var scope = await OpenAsync();
        using var cancel = new CancellationTokenSource();

        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10), Token));
    }

    private static string[] Split(string labels) => labels.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static async Task QueueAsync(StoreScope scope, long jobId) =>
        Assert.True(await scope.Store.TryTransitionJobAsync(jobId, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token));

    private static JobCompletion Success(StoreScope scope) =>
        new(JobStatus.Succeeded, 0, null, null, scope.Time.GetUtcNow(), scope.Time.GetUtcNow());

    private static JobCompletion Failure(StoreScope scope, DateTimeOffset? retryAt) =>
        new(JobStatus.Failed, 2, FailureClass.Script, "step 'test' exited with 2", scope.Time.GetUtcNow().AddSeconds(-3), scope.Time.GetUtcNow(), retryAt);

    [Fact]
    public async Task ExpiredLease_IsFound_OnlyAfterItRunsOut_AndEndsOnceThroughItsLeaseId()
    {
        await using var scope = await OpenAsync();
        var ids = await scope.QueueJobsAsync(2);
        var lease = await scope.Store.TryLeaseAsync("w1", [], Token);
        var kept = await scope.Store.TryLeaseAsync("w2", [], Token);
        Assert.NotNull(lease);
        Assert.NotNull(kept);

        scope.Time.Advance(LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await scope.Store.FindExpiredLeasesAsync(10, Token));
        Assert.Equal(LeaseState.Held, await scope.Store.ExtendAsync(kept!, Token));
        scope.Time.Advance(TimeSpan.FromSeconds(2));

        var expired = Assert.Single(await scope.Store.FindExpiredLeasesAsync(10, Token));
        Assert.Equal(lease!.JobId, expired.JobId);
        Assert.Equal(lease.LeaseId, expired.LeaseId);
        Assert.Equal("w1", expired.WorkerId);
        Assert.Equal(1, expired.Attempt);

        var now = scope.Time.GetUtcNow();
        var lost = new JobCompletion(JobStatus.Failed, null, FailureClass.Infra, "the worker was lost", now, now);
        Assert.True(await scope.Store.CompleteAsync(expired, lost, Token));
        Assert.False(await scope.Store.CompleteAsync(lease, lost, Token));
        Assert.Empty(await scope.Store.FindExpiredLeasesAsync(10, Token));
        Assert.Contains(ids, id => id == expired.JobId);
    }
}
