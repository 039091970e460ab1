using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What a run carries besides its jobs: its number, trigger, failure, concurrency group, rerun and cancel request.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task CreateRun_NumbersRunsPerRepository_WhateverTheCaseOfItsName_AndRunsWithoutOneTogether()
    {
        await using var scope = await OpenAsync();

        var numbers = new List<long>();
        foreach (var repository in new[] { "acme/widgets", "acme/gadgets", "Acme/Widgets", null, "acme/widgets", null })
        {
            numbers.Add((await scope.Store.CreateRunAsync(PlanFor(repository, Job("build")), Token)).Number);
        }

        Assert.Equal([1, 1, 2, 1, 3, 2], numbers);
        Assert.Equal(3, (await scope.Store.GetRunAsync(5, Token))!.Number);
    }

    [Fact]
    public async Task CreateRun_ConcurrentCreatesInOneRepository_GetEveryNumberOnce()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();

        var runs = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            Task.Run(() => (i % 2 == 0 ? scope.Store : other).CreateRunAsync(PlanFor("acme/widgets", Job("build"), Job("test")), Token), Token)));

        Assert.Equal(Enumerable.Range(1, 24).Select(n => (long)n), runs.Select(r => r.Number).Order());
        foreach (var run in runs)
        {
            Assert.Equal(run.Number, (await scope.Store.GetRunAsync(run.Id, Token))!.Number);
        }
    }

    [Fact]
    public async Task CreateRun_WithAUsedIdempotencyKey_TakesNoNumber()
    {
        await using var scope = await OpenAsync();

        var first = await scope.Store.CreateRunAsync(Plan("delivery-1", Job("build")), Token);
        var again = await scope.Store.CreateRunAsync(Plan("delivery-1", Job("build")), Token);
        var next = await scope.Store.CreateRunAsync(Plan(null, Job("build")), Token);

        Assert.Equal((1L, 1L, 2L), (first.Number, again.Number, next.Number));
    }

    [Fact]
    public async Task CreateRun_KeepsTheTrigger_TheConcurrencyGroup_AndWhatItReruns()
    {
        await using var scope = await OpenAsync();
        var trigger = new TriggerEvent(
            TriggerKind.PullRequest, "acme/widgets", "refs/pull/7/head", "abc123", new Dictionary<string, string> { ["level"] = "2" }, "delivery-9")
        {
            Before = "000111",
            Sender = "alice",
            PullRequest = new PullRequestInfo(7, "opened", "main", "feature", "bob/widgets", IsFork: true, BaseSha: "fff", Title: "Add a thing"),
        };
        var plan = new RunPlan("build", trigger, [Job("build")]) { ConcurrencyGroup = "ci-refs/pull/7/head", RerunOf = 3 };

        var run = await scope.Store.CreateRunAsync(plan, Token);

        var stored = await scope.Store.GetRunAsync(run.Id, Token);
        Assert.Equal(run, stored, RunComparer);
        Assert.Equal(("ci-refs/pull/7/head", 3L, false, null), (stored!.ConcurrencyGroup, stored.RerunOf, stored.CancelRequested, stored.FailureClass));
        Assert.Empty(stored.Errors);
        Assert.Equal(TriggerEventJson.Serialize(trigger), TriggerEventJson.Serialize(stored.Trigger!));
        Assert.Equal(("alice", true, "2"), (stored.Trigger!.Sender, stored.Trigger.IsFork, stored.Trigger.Inputs["level"]));
    }

    [Fact]
    public async Task Run_HasStarted_WhenItsFirstJobStarts()
    {
        await using var scope = await OpenAsync();
        var ids = await scope.QueueJobsAsync(2);
        var runId = (await scope.Store.GetJobAsync(ids[0], Token))!.RunId;
        Assert.Null((await scope.Store.GetRunAsync(runId, Token))!.StartedAt);
        var started = scope.Time.GetUtcNow().AddSeconds(3);

        scope.Time.Advance(TimeSpan.FromSeconds(3));
        await scope.Store.TryLeaseAsync("worker-1", [], Token);
        scope.Time.Advance(TimeSpan.FromSeconds(3));
        await scope.Store.TryLeaseAsync("worker-1", [], Token);

        Assert.Equal(started, (await scope.Store.GetRunAsync(runId, Token))!.StartedAt);
    }

    [Fact]
    public async Task CreateFailedRun_RecordsARunWithoutJobs_WithItsClassAndErrors_OnceForItsKey()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow().AddSeconds(-2);
        var trigger = new TriggerEvent(TriggerKind.Push, "acme/widgets", "refs/heads/main", "abc", new Dictionary<string, string>(), "delivery-3");
        await scope.Store.CreateRunAsync(PlanFor("acme/widgets", Job("build")), Token);
        string[] errors = [".cairn.yml:3:5: unknown key 'step'", ".cairn.yml:9:1: job 'x' needs 'y', which does not exist"];

        var failed = await scope.Store.CreateFailedRunAsync(".cairn.yml", trigger, FailureClass.Config, errors, at, Token);
        var again = await scope.Store.CreateFailedRunAsync(".cairn.yml", trigger, FailureClass.Config, ["other"], at.AddMinutes(1), Token);

        var stored = await scope.Store.GetRunAsync(failed.Id, Token);
        Assert.Equal(failed, stored, RunComparer);
        Assert.Equal(failed, again, RunComparer);
        Assert.Equal(
            (RunStatus.Failed, FailureClass.Config, 2L, at, at, (DateTimeOffset?)null, "delivery-3", "push"),
            (stored!.Status, stored.FailureClass, stored.Number, stored.CreatedAt, stored.FinishedAt, stored.StartedAt, stored.IdempotencyKey, stored.Event));
        Assert.Equal(errors, stored.Errors);
        Assert.Empty(await scope.Store.GetJobsAsync(failed.Id, Token));
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM runs"));
        var change = Assert.Single(await scope.Store.ReadChangesAsync(0, failed.Id, 10, Token));
        Assert.Equal((null, "failed", FailureClass.Config, errors[0], at), (change.JobId, change.Status, change.FailureClass, change.Detail, change.At));
    }

    [Fact]
    public async Task ListRuns_IsNewestFirst_FilteredByWhatTheQuerySets_AndPagesBack()
    {
        await using var scope = await OpenAsync();
        var runs = new List<RunRecord>();
        foreach (var (repository, gitRef, group) in new[]
        {
            ("acme/widgets", "refs/heads/main", "main"),
            ("acme/widgets", "refs/heads/dev", null),
            ("acme/gadgets", "refs/heads/main", "main"),
            ("acme/widgets", "refs/heads/main", "main"),
            ("acme/widgets", "refs/tags/main", null),
        })
        {
            var trigger = new TriggerEvent(TriggerKind.Push, repository, gitRef, "abc", new Dictionary<string, string>());
            // Cancelling in progress, so that a newer run of the group starts beside the older one rather than being held.
            runs.Add(await scope.Store.CreateRunAsync(new RunPlan("build", trigger, [Job("build")]) { ConcurrencyGroup = group, CancelInProgress = group is not null }, Token));
        }

        await scope.Store.TryTransitionRunAsync(runs[0].Id, RunStatus.Running, RunStatus.Succeeded, scope.Time.GetUtcNow(), Token);

        async Task<long[]> IdsAsync(RunQuery query) => [.. (await scope.Store.ListRunsAsync(query, Token)).Select(r => runs.FindIndex(x => x.Id == r.Id) + 1L)];
        Assert.Equal((long[])[5, 4, 3, 2, 1], await IdsAsync(new RunQuery()));
        Assert.Equal((long[])[5, 4], await IdsAsync(new RunQuery(Limit: 2)));
        Assert.Equal((long[])[3, 2, 1], await IdsAsync(new RunQuery(BeforeId: runs[3].Id)));
        Assert.Equal((long[])[5, 4, 2, 1], await IdsAsync(new RunQuery(Repository: "acme/widgets")));
        Assert.Equal((long[])[4, 1], await IdsAsync(new RunQuery(Repository: "acme/widgets", Branch: "main")));
        Assert.Equal((long[])[4, 3], await IdsAsync(new RunQuery(ConcurrencyGroup: "main", Status: RunStatus.Running)));
        Assert.Equal((long[])[1], await IdsAsync(new RunQuery(Status: RunStatus.Succeeded)));
        Assert.Equal((long[])[2], await IdsAsync(new RunQuery(Repository: "acme/widgets", BeforeId: runs[3].Id, Branch: "dev", Limit: 1)));
        Assert.Equal(runs[4], (await scope.Store.ListRunsAsync(new RunQuery(Limit: 1), Token))[0], RunComparer);
    }

    [Fact]
    public async Task CreateRun_WritesReusedJobsAlreadySucceeded_AndTheOthersWaiting()
    {
        await using var scope = await OpenAsync();
        var earlier = await scope.CreateRunAsync(Job("build"), Job("test"));
        var earlierBuild = (await scope.Store.GetJobsAsync(earlier.Id, Token))[0];
        scope.Time.Advance(TimeSpan.FromMinutes(1));
        var plan = Plan(null, Job("build") with { ReusedFrom = earlierBuild.Id }, new PlannedJob("test", "key-test", ["build"], [], "{}"))
            with { RerunOf = earlier.Id };

        var rerun = await scope.Store.CreateRunAsync(plan, Token);

        var jobs = await scope.Store.GetJobsAsync(rerun.Id, Token);
        Assert.Equal(
            (JobStatus.Succeeded, earlierBuild.Id, $"reused from run {earlier.Id}", scope.Time.GetUtcNow(), 0, (DateTimeOffset?)null),
            (jobs[0].Status, jobs[0].ReusedFrom, jobs[0].FailureDetail, jobs[0].FinishedAt, jobs[0].Attempt, jobs[0].StartedAt));
        Assert.Equal((JobStatus.Waiting, (long?)null), (jobs[1].Status, jobs[1].ReusedFrom));
        Assert.Equal(earlier.Id, (await scope.Store.GetRunAsync(rerun.Id, Token))!.RerunOf);
    }

    [Fact]
    public async Task ChangeFeed_HasEveryStatusOfARunAndItsJobs_InOrder()
    {
        await using var scope = await OpenAsync();
        var before = await scope.CreateRunAsync(Job("unrelated"));
        var cursor = (await scope.Store.ReadChangesAsync(0, null, 100, Token))[^1].Id;
        var run = await scope.CreateRunAsync(Job("build"), Job("test"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var (build, test) = (jobs[0].Id, jobs[1].Id);

        await scope.Store.TryTransitionJobAsync(build, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token);
        var first = await scope.Store.TryLeaseAsync("worker-1", [], Token);
        scope.Time.Advance(TimeSpan.FromSeconds(1));
        var now = scope.Time.GetUtcNow();
        await scope.Store.CompleteAsync(first!, new JobCompletion(JobStatus.Failed, 1, FailureClass.Infra, "the disk went away", now, now, now), Token);
        var second = await scope.Store.TryLeaseAsync("worker-2", [], Token);
        scope.Time.Advance(TimeSpan.FromSeconds(1));
        now = scope.Time.GetUtcNow();
        await scope.Store.CompleteAsync(second!, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token);
        await scope.Store.TryTransitionJobAsync(test, JobStatus.Waiting, JobStatus.Skipped, new JobTransition(now, null, "its condition was false"), Token);
        await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Succeeded, now, Token);
        await scope.Store.TryTransitionRunAsync(before.Id, RunStatus.Running, RunStatus.Cancelled, now, Token);

        var changes = await scope.Store.ReadChangesAsync(cursor, run.Id, 100, Token);
        Assert.Equal(
            [
                ((long?)null, "running"), (build, "waiting"), (test, "waiting"), (build, "queued"), (build, "running"),
                (build, "queued"), (build, "running"), (build, "succeeded"), (test, "skipped"), (null, "succeeded"),
            ],
            changes.Select(c => (c.JobId, c.Status)));
        Assert.All(changes, c => Assert.Equal(run.Id, c.RunId));
        Assert.Equal(changes.Select(c => c.Id).Order(), changes.Select(c => c.Id));
        Assert.Equal((FailureClass.Infra, "the disk went away"), (changes[5].FailureClass, changes[5].Detail));
        Assert.Equal("its condition was false", changes[8].Detail);
        Assert.Equal(now, changes[^1].At);

        var all = await scope.Store.ReadChangesAsync(cursor, null, 100, Token);
        Assert.Equal(11, all.Count);
        Assert.Equal((before.Id, "cancelled"), (all[^1].RunId, all[^1].Status));
        var paged = await scope.Store.ReadChangesAsync(changes[3].Id, run.Id, 2, Token);
        Assert.Equal([changes[4].Id, changes[5].Id], paged.Select(c => c.Id));
    }

    [Fact]
    public async Task ChangeFeed_ReadWhileManyWritersChangeStatuses_MissesNothing_AndRepeatsNothing()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        using var writing = new CancellationTokenSource();
        var read = new List<RunChange>();
        var reader = Task.Run(
            async () =>
            {
                var after = 0L;
                while (true)
                {
                    var done = writing.IsCancellationRequested;
                    var batch = await other.ReadChangesAsync(after, null, 50, Token);
                    read.AddRange(batch);
                    after = batch.Count > 0 ? batch[^1].Id : after;
                    if (done && batch.Count == 0)
                    {
                        return;
                    }
                }
            },
            Token);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(
            async () =>
            {
                var store = w % 2 == 0 ? scope.Store : other;
                for (var i = 0; i < 5; i++)
                {
                    var run = await store.CreateRunAsync(Plan(null, Job("a"), Job("b")), Token);
                    foreach (var job in await store.GetJobsAsync(run.Id, Token))
                    {
                        await store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token);
                    }

                    while (await store.TryLeaseAsync($"worker-{w}", [], Token) is { } lease)
                    {
                        var now = scope.Time.GetUtcNow();
                        await store.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token);
                    }
                }
            },
            Token)));
        await writing.CancelAsync();
        await reader;

        Assert.Equal(read.Select(c => c.Id).Order(), read.Select(c => c.Id));
        Assert.Equal(read.Count, read.Select(c => c.Id).Distinct().Count());
        Assert.Equal(scope.Scalar("SELECT count(*) FROM run_changes"), read.Count);
        Assert.Equal(30 * 9, read.Count);
    }

    [Fact]
    public async Task WaitForChanges_ReturnsAtOnce_WhenThereAreChangesAfterTheCursor_AndWakesOnTheNextOne()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var last = (await scope.Store.ReadChangesAsync(0, null, 100, Token))[^1].Id;

        await scope.Store.WaitForChangesAsync(0, TimeSpan.FromMinutes(1), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
        var wait = scope.Store.WaitForChangesAsync(last, TimeSpan.FromMinutes(1), Token);
        await Task.Delay(50, Token);
        Assert.False(wait.IsCompleted);

        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token);

        // The clock never moves: only the change can end the wait.
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal("queued", Assert.Single(await scope.Store.ReadChangesAsync(last, null, 100, Token)).Status);
    }

    [Fact]
    public async Task WaitForChanges_ReturnsAfterMaxWait_WhenNothingChanges()
    {
        await using var scope = await OpenAsync();

        var wait = scope.Store.WaitForChangesAsync(0, TimeSpan.FromSeconds(5), Token);
        await Task.Delay(50, Token);
        scope.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);
        scope.Time.Advance(TimeSpan.FromSeconds(1));

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Empty(await scope.Store.ReadChangesAsync(0, null, 10, Token));
    }

    [Fact]
    public async Task WaitForCancelRequest_ReturnsAfterItsWait_AndEndsCancelledWhenCancelled()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("running"));
        using var stop = new CancellationTokenSource();
        var stopped = scope.Store.WaitForCancelRequestAsync(run.Id, TimeSpan.FromMinutes(1), stop.Token);
        var waited = scope.Store.WaitForCancelRequestAsync(run.Id, TimeSpan.FromMinutes(1), Token);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);
        Assert.False(waited.IsCompleted);

        scope.Time.Advance(TimeSpan.FromMinutes(1));
        await waited.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(waited.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RequestCancel_MarksARunningRun_StopsItsQueueing_TellsItsHeartbeats_AndRefusesAnEndedRun()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("running"), Job("waiting"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        await scope.Store.TryTransitionJobAsync(jobs[0].Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token);
        var lease = await scope.Store.TryLeaseAsync("worker-1", [], Token);
        Assert.Equal(LeaseState.Held, await scope.Store.ExtendAsync(lease!, Token));
        var heard = scope.Store.WaitForCancelRequestAsync(run.Id, TimeSpan.FromMinutes(1), Token);
        var otherRun = scope.Store.WaitForCancelRequestAsync(run.Id + 1, TimeSpan.FromMinutes(1), Token);

        Assert.True(await scope.Store.RequestCancelAsync(run.Id, "cancelled by alice", scope.Time.GetUtcNow(), Token));

        await heard.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(otherRun.IsCompleted);
        var marked = await scope.Store.GetRunAsync(run.Id, Token);
        Assert.Equal((true, "cancelled by alice"), (marked!.CancelRequested, marked.CancelReason));
        Assert.Equal(LeaseState.CancelRequested, await scope.Store.ExtendAsync(lease!, Token));
        Assert.False(await scope.Store.TryTransitionJobAsync(jobs[1].Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token));
        Assert.True(await scope.Store.TryTransitionJobAsync(
            jobs[1].Id, JobStatus.Waiting, JobStatus.Cancelled, new JobTransition(scope.Time.GetUtcNow(), FailureClass.Cancelled, "cancelled by alice"), Token));
        Assert.True(await scope.Store.RequestCancelAsync(run.Id, "cancelled by bob", scope.Time.GetUtcNow(), Token));
        Assert.Equal("cancelled by alice", (await scope.Store.GetRunAsync(run.Id, Token))!.CancelReason);

        Assert.True(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Cancelled, scope.Time.GetUtcNow(), Token));
        Assert.False(await scope.Store.RequestCancelAsync(run.Id, "cancelled by alice", scope.Time.GetUtcNow(), Token));
        Assert.False(await scope.Store.RequestCancelAsync(run.Id + 10, "cancelled by alice", scope.Time.GetUtcNow(), Token));
    }

    private static RunPlan PlanFor(string? repository, params PlannedJob[] jobs) =>
        new("build", new TriggerEvent(TriggerKind.Push, repository, "refs/heads/main", "abc", new Dictionary<string, string>()), jobs);
}
