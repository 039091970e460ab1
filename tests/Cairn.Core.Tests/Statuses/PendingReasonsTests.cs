using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Statuses;

public sealed class PendingReasonsTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);

    private static readonly LocalWorkers Linux = new(4, ["linux"]);

    [Fact]
    public void WaitingJob_NamesTheNeedsThatHaveNotEnded()
    {
        var jobs = new[]
        {
            Job(1, "lint", JobStatus.Succeeded),
            Job(2, "build", JobStatus.Running),
            Job(3, "test", JobStatus.Queued),
            Job(4, "deploy", JobStatus.Waiting, needs: ["lint", "build", "test"]),
        };

        var reason = PendingReasons.Of(Run(), jobs, Linux, Now)[4];

        Assert.Equal((PendingReasonKind.Needs, "needs", "waiting for build, test"), (reason.Kind, reason.KindWire, reason.Text));
    }

    [Fact]
    public void WaitingJob_WithManyOpenNeeds_NamesFiveAndCountsTheRest()
    {
        var legs = Enumerable.Range(1, 8).Select(i => Job(i, $"test ({i})", JobStatus.Running)).ToList();
        legs.Add(Job(9, "report", JobStatus.Waiting, needs: [.. legs.Select(l => l.Name)]));

        Assert.Equal("waiting for test (1), test (2), test (3), test (4), test (5) and 3 more", PendingReasons.Of(Run(), legs, null, Now)[9].Text);
    }

    [Fact]
    public void RunAwaitingApproval_GivesEveryJobTheRunsOwnReason()
    {
        var run = Run() with { Status = RunStatus.Waiting, PendingReason = "a pull request from a fork: a maintainer must approve it" };
        var jobs = new[] { Job(1, "build", JobStatus.Waiting), Job(2, "test", JobStatus.Waiting, needs: ["build"]) };

        var reasons = PendingReasons.Of(run, jobs, Linux, Now);

        Assert.All(reasons.Values, r => Assert.Equal((PendingReasonKind.Approval, run.PendingReason), (r.Kind, r.Text)));
        Assert.Equal(2, reasons.Count);
    }

    [Fact]
    public void RunHeldInItsConcurrencyGroup_GivesEveryWaitingJobTheConcurrencyKind_NamingTheRunAhead()
    {
        var run = Run() with
        {
            Status = RunStatus.Waiting, ConcurrencyGroup = "deploy", WaitingBehind = 41,
            PendingReason = "waiting behind run #12 in concurrency group 'deploy'",
        };
        var jobs = new[] { Job(1, "build", JobStatus.Waiting), Job(2, "test", JobStatus.Waiting, needs: ["build"]), Job(3, "old", JobStatus.Succeeded) };

        var reasons = PendingReasons.Of(run, jobs, Linux, Now);

        Assert.Equal([1L, 2L], reasons.Keys.Order());
        Assert.All(reasons.Values, r => Assert.Equal((PendingReasonKind.Concurrency, "concurrency", run.PendingReason), (r.Kind, r.KindWire, r.Text)));
    }

    [Fact]
    public void RunHeldWithoutAStoredReason_StillNamesTheRunAheadAndItsGroup()
    {
        var run = Run() with { Status = RunStatus.Waiting, ConcurrencyGroup = "deploy", WaitingBehind = 41 };

        var reason = PendingReasons.Of(run, [Job(1, "build", JobStatus.Waiting)], null, Now)[1];

        Assert.Equal((PendingReasonKind.Concurrency, "waiting behind run id 41 in concurrency group 'deploy'"), (reason.Kind, reason.Text));
    }

    [Fact]
    public void QueuedJob_WhoseLabelsNoWorkerOfThisServerHas_SaysSo()
    {
        var reason = PendingReasons.Of(Run(), [Job(1, "build", JobStatus.Queued, labels: ["linux", "big"])], Linux, Now)[1];

        Assert.Equal(PendingReasonKind.Worker, reason.Kind);
        Assert.Equal("queued: waiting for a worker with labels [linux, big]; no worker of this server has them", reason.Text);
    }

    [Fact]
    public void QueuedJob_ThatThisServersWorkersCouldTake_OnlyWaitsForOne()
    {
        var reasons = PendingReasons.Of(Run(), [Job(1, "build", JobStatus.Queued, labels: ["linux"]), Job(2, "lint", JobStatus.Queued)], Linux, Now);

        Assert.Equal("queued: waiting for a worker with labels [linux]", reasons[1].Text);
        Assert.Equal("queued: waiting for a free worker", reasons[2].Text);
    }

    [Fact]
    public void QueuedJob_OnAServerThatRunsNoJobs_SaysSo_AndWithoutKnowledgeSaysNothingOfWorkers()
    {
        var job = Job(1, "build", JobStatus.Queued, labels: ["linux"]);

        Assert.Equal("queued: waiting for a worker with labels [linux]; this server runs no jobs itself",
            PendingReasons.Of(Run(), [job], new LocalWorkers(0, ["linux"]), Now)[1].Text);
        Assert.Equal("queued: waiting for a worker with labels [linux]", PendingReasons.Of(Run(), [job], null, Now)[1].Text);
    }

    [Fact]
    public void QueuedJob_InItsBackOff_SaysWhenAndWhichAttemptComes()
    {
        var definition = Definition(new RetryJson(2, ["infra"], 10_000));
        var job = Job(1, "build", JobStatus.Queued, definition: definition) with { Attempt = 1, FailureClass = FailureClass.Infra };
        job = job with { RetryAt = Now.AddSeconds(95) };

        var reason = PendingReasons.Of(Run(), [job], Linux, Now)[1];

        Assert.Equal((PendingReasonKind.Retry, "retry"), (reason.Kind, reason.KindWire));
        Assert.Equal("retrying after 12:01:35 UTC (attempt 2 of 3, after infra failure)", reason.Text);
    }

    [Fact]
    public void QueuedJob_WithoutARetryRule_CountsTheOneDefaultRetry_AndAPassedRetryTimeWaitsForAWorker()
    {
        var job = Job(1, "build", JobStatus.Queued) with { Attempt = 1, FailureClass = FailureClass.Infra, RetryAt = Now.AddSeconds(5) };

        Assert.Equal("retrying after 12:00:05 UTC (attempt 2 of 2, after infra failure)", PendingReasons.Of(Run(), [job], Linux, Now)[1].Text);
        Assert.Equal(PendingReasonKind.Worker, PendingReasons.Of(Run(), [job], Linux, Now.AddSeconds(5))[1].Kind);
    }

    [Fact]
    public void RunningAndEndedJobs_HaveNoReason()
    {
        var jobs = Enum.GetValues<JobStatus>().Select((s, i) => Job(i, s.ToWire(), s)).ToList();

        var reasons = PendingReasons.Of(Run(), jobs, Linux, Now);

        Assert.Equal(["waiting", "queued"], jobs.Where(j => reasons.ContainsKey(j.Id)).Select(j => j.Name));
    }

    [Fact]
    public void WaitingJob_WhoseNeedsHaveAllEnded_IsAboutToBeDecided_AndNeedsOutsideTheRunHoldNothing()
    {
        var jobs = new[] { Job(1, "build", JobStatus.Failed), Job(2, "test", JobStatus.Waiting, needs: ["build", "reused-elsewhere"]) };

        var reason = PendingReasons.Of(Run(), jobs, Linux, Now)[2];

        Assert.Equal(PendingReasonKind.Needs, reason.Kind);
        Assert.Equal("waiting: every job it needs has ended; it is about to be queued or skipped", reason.Text);
    }

    [Fact]
    public void QueuedJob_OnAServerOfRegisteredWorkers_SaysWhichMayTakeItAndWhyTheyDoNot()
    {
        var gpu = Job(1, "train", JobStatus.Queued, labels: ["gpu"]);
        var plain = Job(2, "lint", JobStatus.Queued);
        var none = new LocalWorkers(0, []);
        var away = none with
        {
            Registered = [new("big-1", ["gpu", "linux"], Connected: false, Paused: false), new("big-2", ["gpu"], Connected: true, Paused: true), new("small", [], Connected: true, Paused: false)],
        };

        Assert.Equal(
            "queued: waiting for a worker with labels [gpu]; this server runs no jobs itself; the workers that may: big-1 (not connected), big-2 (paused)",
            PendingReasons.Of(Run(), [gpu], away, Now)[1].Text);
        Assert.Equal("queued: waiting for a free worker", PendingReasons.Of(Run(), [plain], away, Now)[2].Text);

        var connected = none with { Registered = [new("big-1", ["gpu"], Connected: true, Paused: false)] };
        Assert.Equal("queued: waiting for a worker with labels [gpu]", PendingReasons.Of(Run(), [gpu], connected, Now)[1].Text);

        var others = Linux with { Registered = [new("small", ["linux"], Connected: true, Paused: false)] };
        Assert.Equal(
            "queued: waiting for a worker with labels [gpu]; no worker of this server has them; no registered worker has them",
            PendingReasons.Of(Run(), [gpu], others, Now)[1].Text);

        var asleep = none with { Registered = [new("small", [], Connected: false, Paused: false)] };
        Assert.Equal(
            "queued: waiting for a free worker; this server runs no jobs itself; the workers that may: small (not connected)",
            PendingReasons.Of(Run(), [plain], asleep, Now)[2].Text);
    }

    private static RunRecord Run() => new(7, "ci", "push", "refs/heads/main", "abc1234", "acme/app", RunStatus.Running, Now, null, null);

    private static string Definition(RetryJson? retry = null) =>
        new JobDefinitionJson("build", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], retry, []).Serialize();

    private static JobRecord Job(long id, string name, JobStatus status, string[]? needs = null, string[]? labels = null, string? definition = null) =>
        new(id, 7, name, name, needs ?? [], labels ?? [], status, 0, null, null, null, null, null, definition ?? Definition());
}
