using System.Collections.Concurrent;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task CompleteAndLease_EndsTheLease_AndLeasesTheNextJob()
    {
        await using var scope = await OpenAsync();
        var queued = await scope.QueueJobsAsync(2);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var feed = await scope.Store.GetLatestChangeIdAsync(Token);
        scope.Time.Advance(TimeSpan.FromSeconds(5));
        var completion = Failure(scope, retryAt: null);

        var (completed, next) = await scope.Store.CompleteAndLeaseAsync(first!, completion, "worker-1", AnyLabels, Token);

        Assert.True(completed);
        var ended = await scope.Store.GetJobAsync(queued[0], Token);
        Assert.Equal(
            (JobStatus.Failed, 2, FailureClass.Script, completion.StartedAt, completion.FinishedAt),
            (ended!.Status, ended.ExitCode, ended.FailureClass, ended.StartedAt, ended.FinishedAt));
        Assert.Equal((JobStatus.Failed, "worker-1"), await AttemptAsync(scope, queued[0], 1));

        Assert.Equal((queued[1], "worker-1", 1, JobStatus.Running), (next!.JobId, next.WorkerId, next.Attempt, next.Job.Status));
        Assert.Equal(scope.Time.GetUtcNow() + LeaseDuration, next.ExpiresAt);
        Assert.NotNull(next.QueuedAt);
        Assert.Equal(next.Job, await scope.Store.GetJobAsync(next.JobId, Token), JobComparer);
        Assert.Equal(LeaseState.Held, await scope.Store.ExtendAsync(next, Token));
        Assert.Equal(0, scope.Scalar($"SELECT count(*) FROM jobs WHERE id = {queued[0]} AND lease_id IS NOT NULL"));

        // The change feed has both moves, the end first.
        var changes = await scope.Store.ReadChangesAsync(feed, null, 10, Token);
        Assert.Equal(
            [(queued[0], ChangeStatus.Of(JobStatus.Failed)), (queued[1], ChangeStatus.Of(JobStatus.Running))],
            changes.Select(c => (c.JobId ?? 0, c.Status)));
    }

    [Fact]
    public async Task CompleteAndLease_WithALostLease_WritesNothingOfTheCompletion_AndStillLeases()
    {
        await using var scope = await OpenAsync();
        var queued = await scope.QueueJobsAsync(2);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var stale = first! with { LeaseId = Guid.NewGuid() };

        var (completed, next) = await scope.Store.CompleteAndLeaseAsync(stale, Success(scope), "worker-1", AnyLabels, Token);

        Assert.False(completed);
        Assert.Equal(queued[1], next?.JobId);
        Assert.Equal(first.Job, await scope.Store.GetJobAsync(first.JobId, Token), JobComparer);
        Assert.Equal(0, scope.Scalar($"SELECT count(*) FROM job_attempts WHERE job_id = {first.JobId}"));

        // The real holder still ends it, once.
        Assert.True(await scope.Store.CompleteAsync(first, Success(scope), Token));
        Assert.Equal((false, null), await scope.Store.CompleteAndLeaseAsync(first, Success(scope), "worker-1", AnyLabels, Token));
    }

    [Fact]
    public async Task CompleteAndLease_WithNothingQueued_CompletesAndLeasesNothing()
    {
        await using var scope = await OpenAsync();
        var queued = await scope.QueueJobsAsync(1);
        var lease = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        var (completed, next) = await scope.Store.CompleteAndLeaseAsync(lease!, Success(scope), "worker-1", AnyLabels, Token);

        Assert.True(completed);
        Assert.Null(next);
        Assert.Equal(JobStatus.Succeeded, (await scope.Store.GetJobAsync(queued[0], Token))!.Status);
        Assert.Equal((JobStatus.Succeeded, "worker-1"), await AttemptAsync(scope, queued[0], 1));
    }

    [Fact]
    public async Task CompleteAndLease_WithRetryAt_RequeuesTheJob_LeasableOnceItsTimeComes()
    {
        await using var scope = await OpenAsync();
        var queued = await scope.QueueJobsAsync(1);
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var later = await scope.Store.CompleteAndLeaseAsync(first!, Failure(scope, scope.Time.GetUtcNow().AddSeconds(10)), "worker-1", AnyLabels, Token);

        Assert.Equal((true, null), later);
        var waiting = await scope.Store.GetJobAsync(queued[0], Token);
        Assert.Equal((JobStatus.Queued, FailureClass.Script), (waiting!.Status, waiting.FailureClass));
        Assert.Equal((JobStatus.Failed, "worker-1"), await AttemptAsync(scope, queued[0], 1));

        scope.Time.Advance(TimeSpan.FromSeconds(10));
        var second = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);

        // A retry due at once is this same call's next lease: its second attempt.
        var (completed, third) = await scope.Store.CompleteAndLeaseAsync(second!, Failure(scope, scope.Time.GetUtcNow()), "worker-2", AnyLabels, Token);

        Assert.True(completed);
        Assert.Equal((queued[0], 3, "worker-2"), (third!.JobId, third.Attempt, third.WorkerId));
        Assert.Equal((JobStatus.Failed, "worker-1"), await AttemptAsync(scope, queued[0], 2));
    }

    [Fact]
    public async Task CompleteAndLease_OffersOnlyJobsWhoseLabelsTheWorkerHas()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("first"), Job("windows", "windows"), Job("linux", "linux"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        foreach (var job in jobs)
        {
            await QueueAsync(scope, job.Id);
        }

        var first = await scope.Store.TryLeaseAsync("worker-1", ["linux"], Token);
        var (_, next) = await scope.Store.CompleteAndLeaseAsync(first!, Success(scope), "worker-1", ["linux"], Token);
        var (_, none) = await scope.Store.CompleteAndLeaseAsync(next!, Success(scope), "worker-1", ["linux"], Token);

        Assert.Equal([jobs[0].Id, jobs[2].Id], [first!.JobId, next!.JobId]);
        Assert.Null(none);
        Assert.Equal(JobStatus.Queued, (await scope.Store.GetJobAsync(jobs[1].Id, Token))!.Status);
    }

    [Fact]
    public async Task CompleteAndLease_ClaimsUnderARepositoryLimit_TheSlotItsCompletionFrees()
    {
        await using var scope = await OpenAsync();
        Assert.True(await scope.Store.AddRepositoryAsync(LimitedRepository(scope, "acme/widgets", 1), Token));
        var widgets = await QueueAllAsync(scope, await scope.Store.CreateRunAsync(PlanOf("acme/widgets", Job("w1"), Job("w2")), Token));
        var first = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        Assert.Null(await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token));

        var (completed, next) = await scope.Store.CompleteAndLeaseAsync(first!, Success(scope), "worker-1", AnyLabels, Token);

        Assert.True(completed);
        Assert.Equal(widgets[1], next?.JobId);
        Assert.Equal(1, await scope.Store.CountRunningJobsAsync("acme/widgets", Token));
    }

    [Fact]
    public async Task CompleteAndLease_NeverHandsOneJobToTwoWorkers_AndEndsEachOnce()
    {
        const int Count = 200;
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        var queued = await scope.QueueJobsAsync(Count);
        var leased = new ConcurrentBag<long>();

        // Each worker chains its completions and claims until a claim finds nothing.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(
            async () =>
            {
                var queue = worker % 2 == 0 ? scope.Store : other;
                var lease = await queue.TryLeaseAsync($"worker-{worker}", AnyLabels, Token);
                while (lease is not null)
                {
                    leased.Add(lease.JobId);
                    var (completed, next) = await queue.CompleteAndLeaseAsync(lease, Success(scope), $"worker-{worker}", AnyLabels, Token);
                    Assert.True(completed);
                    lease = next;
                }
            },
            Token)));

        Assert.Equal(queued.Order(), leased.Order());
        Assert.Equal(Count, scope.Scalar("SELECT count(*) FROM jobs WHERE status = 'succeeded' AND attempt = 1 AND lease_id IS NULL"));
        Assert.Equal(Count, scope.Scalar("SELECT count(*) FROM job_attempts WHERE status = 'succeeded'"));
    }

    private static async Task<(JobStatus, string?)> AttemptAsync(StoreScope scope, long jobId, int attempt)
    {
        var kept = await scope.Store.GetAttemptAsync(jobId, attempt, Token);
        return (kept!.Status, kept.Worker);
    }
}
