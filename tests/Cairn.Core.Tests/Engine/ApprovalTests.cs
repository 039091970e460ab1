using Cairn.Core.Engine;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

/// <summary>A run that waits for approval: nothing of it moves until it is approved, which queues its first jobs as a start
/// does; a rejection ends it cancelled with the reason; neither reaches a run that no longer waits.</summary>
public sealed class ApprovalTests
{
    private const string Yaml = "jobs:\n  build: { steps: [{ run: make }] }\n  test: { needs: [build], steps: [{ run: make test }] }\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWaitingRun_QueuesNothing_UntilApproved_ThenQueuesItsFirstJobs()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);

        var run = await coordinator.StartRunAsync(EngineHarness.Plan(Yaml) with { PendingReason = "a maintainer must approve it" }, Token);
        await coordinator.AdvanceAsync(run.Id, Token);

        Assert.Equal(RunStatus.Waiting, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
        Assert.All((await engine.Store.GetJobStatusesAsync(run.Id, Token)).Values, s => Assert.Equal(JobStatus.Waiting, s));
        Assert.Null(await engine.Store.TryLeaseAsync("worker", [], Token));

        Assert.True(await coordinator.ApproveRunAsync(run.Id, Token));
        Assert.False(await coordinator.ApproveRunAsync(run.Id, Token));
        Assert.False(await coordinator.RejectRunAsync(run.Id, "rejected: too late", Token));

        var approved = (await engine.Store.GetRunAsync(run.Id, Token))!;
        Assert.Equal((RunStatus.Running, null, false), (approved.Status, approved.PendingReason, approved.CancelRequested));
        var jobs = await engine.Store.GetJobsAsync(run.Id, Token);
        Assert.Equal([("build", JobStatus.Queued), ("test", JobStatus.Waiting)], jobs.Select(j => (j.Name, j.Status)));
    }

    [Fact]
    public async Task ARejectedRun_EndsCancelled_ItsJobsCancelledWithTheReason_AndCannotBeApproved()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        RunRecord? finished = null;
        coordinator.RunFinished += r => finished = r;
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(Yaml) with { PendingReason = "a maintainer must approve it" }, Token);

        Assert.True(await coordinator.RejectRunAsync(run.Id, "rejected: not ours", Token));
        Assert.False(await coordinator.ApproveRunAsync(run.Id, Token));

        var rejected = (await engine.Store.GetRunAsync(run.Id, Token))!;
        Assert.Equal((RunStatus.Cancelled, "rejected: not ours", null), (rejected.Status, rejected.CancelReason, rejected.PendingReason));
        Assert.All(await engine.Store.GetJobsAsync(run.Id, Token), j => Assert.Equal(
            (JobStatus.Cancelled, FailureClass.Cancelled, "rejected: not ours"), (j.Status, j.FailureClass!.Value, j.FailureDetail!)));
        Assert.Equal((run.Id, RunStatus.Cancelled), (finished!.Id, finished.Status));
    }

    [Fact]
    public async Task CancellingAWaitingRun_EndsItAtOnce()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(Yaml) with { PendingReason = "a maintainer must approve it" }, Token);

        Assert.True(await coordinator.CancelRunAsync(run.Id, "superseded by run #2", Token));

        Assert.Equal(RunStatus.Cancelled, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
        Assert.False(await coordinator.CancelRunAsync(run.Id, "again", Token));
    }
}
