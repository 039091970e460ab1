using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Statuses;

public sealed class PendingReasonLimitTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);

    private static readonly LocalWorkers Linux = new(4, ["linux"]);

    [Fact]
    public void QueuedJob_OfARepositoryAtItsLimit_SaysSoWithTheNumbers()
    {
        var jobs = new[] { Job(1, "build", JobStatus.Queued), Job(2, "test", JobStatus.Waiting, needs: ["build"]), Job(3, "lint", JobStatus.Running) };

        var reasons = PendingReasons.Of(Run(), jobs, Linux, Now, new RepositoryLoad(4, 4));

        Assert.Equal((PendingReasonKind.Limit, "limit", "repository limit (4/4 running)"), (reasons[1].Kind, reasons[1].KindWire, reasons[1].Text));
        Assert.Equal(PendingReasonKind.Needs, reasons[2].Kind);
        Assert.False(reasons.ContainsKey(3));
    }

    [Fact]
    public void QueuedJob_UnderTheLimit_WaitsForAWorker() =>
        Assert.Equal(
            PendingReasonKind.Worker,
            PendingReasons.Of(Run(), [Job(1, "build", JobStatus.Queued)], Linux, Now, new RepositoryLoad(3, 4))[1].Kind);

    [Fact]
    public void QueuedJob_OverALoweredLimit_SaysTheNumbersAsTheyAre() =>
        Assert.Equal(
            "repository limit (5/2 running)",
            PendingReasons.Of(Run(), [Job(1, "build", JobStatus.Queued)], Linux, Now, new RepositoryLoad(5, 2))[1].Text);

    [Fact]
    public void AJobWaitingForItsRetryTime_SaysThatFirst()
    {
        var job = Job(1, "build", JobStatus.Queued) with { RetryAt = Now.AddMinutes(1), Attempt = 1 };

        Assert.Equal(PendingReasonKind.Retry, PendingReasons.Of(Run(), [job], Linux, Now, new RepositoryLoad(4, 4))[1].Kind);
    }

    private static RunRecord Run() => new(7, "ci", "push", "refs/heads/main", "abc1234", "acme/app", RunStatus.Running, Now, null, null);

    private static JobRecord Job(long id, string name, JobStatus status, string[]? needs = null) =>
        new(id, 7, name, name, needs ?? [], [], status, 0, null, null, null, null, null,
            new JobDefinitionJson("build", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
                null, null, null, null, [], null, []).Serialize());
}
