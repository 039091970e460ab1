using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests.Gates;

/// <summary>An approval job's gate in the run API: its approvers, the approvals it needs and has, its commit and the
/// decisions so far.</summary>
public sealed class GateViewTests : IAsyncLifetime
{
    private GateWorld world = null!;

    public async ValueTask InitializeAsync() => world = await GateWorld.StartAsync();

    public async ValueTask DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task A_waiting_gate_shows_its_approvers_its_commit_and_each_decision()
    {
        var (run, gate) = await world.StartGatedRunAsync(["carol", "role:maintainer"], min: 2);
        var before = (await world.Server.GetRunAsync(run)).Jobs!.Single(j => j.Id == gate).Gate;

        var answer = await world.Client("carol").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { comment = "looks right" });
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        var view = await world.Server.GetRunAsync(run);
        var after = view.Jobs!.Single(j => j.Id == gate).Gate;

        Assert.NotNull(before);
        Assert.Equal(["carol", "role:maintainer"], before.Approvers);
        Assert.Equal((2, 0, world.Sha), (before.Min, before.Approvals, before.Sha));
        Assert.Empty(before.Decisions);
        Assert.NotNull(after);
        Assert.Equal(1, after.Approvals);
        var decision = Assert.Single(after.Decisions);
        Assert.Equal(("carol", "api", true, world.Sha, "looks right"), (decision.Person, decision.Channel, decision.Approved, decision.Sha, decision.Comment));
        Assert.All(view.Jobs!.Where(j => j.Id != gate), j => Assert.Null(j.Gate));
    }
}
