using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Every attempt of a job, kept as it ends: retries, reaped leases, the running attempt, retention.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Attempts_OfAJobThatFailsRetriesAndSucceeds_AreTwo_NewestFirst_WithTheirFailuresAndWorkers()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var runId = (await scope.Store.GetJobAsync(jobId, Token))!.RunId;

        var first = await scope.Store.TryLeaseAsync("host-1-0", [], Token);
        var started = scope.Time.GetUtcNow();
        scope.Time.Advance(TimeSpan.FromSeconds(5));
        var failedAt = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(
            first!, new JobCompletion(JobStatus.Failed, 2, FailureClass.Build, "step 'test' exited 2", started, failedAt, RetryAt: failedAt), Token));

        var running = Assert.Single(await scope.Store.GetAttemptsOfRunAsync(runId, Token));
        Assert.Equal((1, JobStatus.Failed, 2, FailureClass.Build), (running.Attempt, running.Status, running.ExitCode, running.FailureClass));

        var second = await scope.Store.TryLeaseAsync("host-2-1", [], Token);
        Assert.Equal(2, second!.Attempt);
        var during = await scope.Store.GetAttemptsOfRunAsync(runId, Token);
        Assert.Equal([(2, JobStatus.Running, "host-2-1"), (1, JobStatus.Failed, "host-1-0")], during.Select(a => (a.Attempt, a.Status, a.Worker)));

        scope.Time.Advance(TimeSpan.FromSeconds(3));
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(second, new JobCompletion(JobStatus.Succeeded, 0, null, null, failedAt, now), Token));

        var attempts = await scope.Store.GetAttemptsOfRunAsync(runId, Token);
        Assert.Equal([2, 1], attempts.Select(a => a.Attempt));
        Assert.Equal((JobStatus.Succeeded, 0, (FailureClass?)null, "host-2-1"), (attempts[0].Status, attempts[0].ExitCode, attempts[0].FailureClass, attempts[0].Worker));
        Assert.Equal((JobStatus.Failed, FailureClass.Build, "step 'test' exited 2"), (attempts[1].Status, attempts[1].FailureClass, attempts[1].FailureDetail));
        Assert.Equal((started, failedAt), (attempts[1].StartedAt, attempts[1].FinishedAt));
        Assert.All(attempts, a => Assert.Equal(jobId, a.JobId));
    }

    [Fact]
    public async Task Attempts_OfAReapedLease_RecordAnInfraFailure_AndALateWorkerAddsNothing()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var runId = (await scope.Store.GetJobAsync(jobId, Token))!.RunId;
        var lease = await scope.Store.TryLeaseAsync("lost-worker", [], Token);
        scope.Time.Advance(LeaseDuration + TimeSpan.FromSeconds(1));
        var expired = Assert.Single(await scope.Store.FindExpiredLeasesAsync(10, Token));

        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(expired, new JobCompletion(JobStatus.Failed, null, FailureClass.Infra, "the worker was lost", lease!.Job.StartedAt!.Value, now), Token));
        Assert.False(await scope.Store.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));

        var attempt = Assert.Single(await scope.Store.GetAttemptsOfRunAsync(runId, Token));
        Assert.Equal((1, JobStatus.Failed, FailureClass.Infra, "lost-worker"), (attempt.Attempt, attempt.Status, attempt.FailureClass, attempt.Worker));
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM job_attempts"));
    }

    [Fact]
    public async Task Attempts_OfAJobEndedBeforeAttemptsWereKept_ShowItsOneKnownAttempt_AndAJobThatNeverStartedHasNone()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"), Job("never"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        await QueueAsync(scope, jobs[0].Id);
        var lease = await scope.Store.TryLeaseAsync("old-worker", [], Token);
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(lease!, new JobCompletion(JobStatus.Failed, 1, FailureClass.Build, "exit 1", now, now), Token));
        scope.Query("DELETE FROM job_attempts");
        Assert.True(await scope.Store.TryTransitionJobAsync(jobs[1].Id, JobStatus.Waiting, JobStatus.Skipped, new JobTransition(now), Token));

        var attempt = Assert.Single(await scope.Store.GetAttemptsOfRunAsync(run.Id, Token));

        Assert.Equal((jobs[0].Id, 1, JobStatus.Failed, 1, FailureClass.Build), (attempt.JobId, attempt.Attempt, attempt.Status, attempt.ExitCode, attempt.FailureClass));
    }

    [Fact]
    public async Task DeleteRunsFinishedBefore_RemovesTheAttemptsOfTheRunsItRemoves()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var runId = (await scope.Store.GetJobAsync(jobId, Token))!.RunId;
        var lease = await scope.Store.TryLeaseAsync("w", [], Token);
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(lease!, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(runId, RunStatus.Running, RunStatus.Succeeded, now, Token));
        scope.Time.Advance(TimeSpan.FromDays(10));
        await scope.CreateRunAsync(Job("newest"));

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token));

        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM job_attempts"));
    }
}
