using Cairn.Core.Engine;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

/// <summary>The coordinator starts the next held run of a concurrency group when the run ahead ends, and its repair does
/// when whoever ended that run stopped before.</summary>
public sealed class ConcurrencyGroupTests
{
    private const string Yaml = "jobs:\n  build: { steps: [{ run: make }] }\n  test: { needs: [build], steps: [{ run: make test }] }\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WhenTheRunAheadEnds_TheHeldRunStarts_AndItsFirstJobsAreQueued()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var plan = EngineHarness.Plan(Yaml) with { ConcurrencyGroup = "deploy" };
        var ahead = await coordinator.StartRunAsync(plan, Token);
        var held = await coordinator.StartRunAsync(plan, Token);
        await coordinator.AdvanceAsync(held.Id, Token);

        Assert.Equal((RunStatus.Waiting, (long?)ahead.Id), (held.Status, held.WaitingBehind));
        Assert.All((await engine.Store.GetJobStatusesAsync(held.Id, Token)).Values, s => Assert.Equal(JobStatus.Waiting, s));

        Assert.True(await coordinator.CancelRunAsync(ahead.Id, "cancelled", Token));

        Assert.Equal(RunStatus.Cancelled, (await engine.Store.GetRunAsync(ahead.Id, Token))!.Status);
        Assert.Equal(RunStatus.Running, (await engine.Store.GetRunAsync(held.Id, Token))!.Status);
        var jobs = await engine.Store.GetJobsAsync(held.Id, Token);
        Assert.Equal([("build", JobStatus.Queued), ("test", JobStatus.Waiting)], jobs.Select(j => (j.Name, j.Status)));
    }

    [Fact]
    public async Task Repair_StartsTheHeldRunOfAGroupWhoseRunAheadEndedWithoutStartingIt()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var plan = EngineHarness.Plan(Yaml) with { ConcurrencyGroup = "deploy" };
        var ahead = await coordinator.StartRunAsync(plan, Token);
        var held = await coordinator.StartRunAsync(plan, Token);

        // Ended by the store alone, as a process that stopped right after its compare-and-set leaves it.
        Assert.True(await engine.Store.TryTransitionRunAsync(ahead.Id, RunStatus.Running, RunStatus.Failed, DateTimeOffset.UtcNow, Token));
        Assert.Equal(RunStatus.Waiting, (await engine.Store.GetRunAsync(held.Id, Token))!.Status);

        Assert.Equal(1, await coordinator.RepairGroupsAsync(Token));

        Assert.Equal(RunStatus.Running, (await engine.Store.GetRunAsync(held.Id, Token))!.Status);
        Assert.Equal(JobStatus.Queued, (await engine.Store.GetJobsAsync(held.Id, Token)).Single(j => j.Name == "build").Status);
        Assert.Equal(0, await coordinator.RepairGroupsAsync(Token));
    }
}
