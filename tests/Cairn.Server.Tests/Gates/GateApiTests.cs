using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Core.Access;
using Cairn.Core.Gates;
using Cairn.Server.Api;
using Cairn.Server.Gates;

namespace Cairn.Server.Tests.Gates;

/// <summary>Approval jobs on a real server: the gate opens and waits, naming who may approve; approvals come through the
/// API, are bound to the gate's commit, count distinct eligible people (the run's triggerer only beside someone else);
/// a rejection cancels the gate and skips what needs it; a deadline fails it; every decision and refusal is audited.</summary>
public sealed class GateApiTests : IAsyncLifetime
{
    private GateWorld world = null!;

    public async ValueTask InitializeAsync() => world = await GateWorld.StartAsync();

    public async ValueTask DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task A_gate_waits_naming_its_approvers_and_opens_with_two_approvals_the_triggerer_counting_only_beside_another()
    {
        var (run, gate) = await world.StartGatedRunAsync(["carol", "role:maintainer"], min: 2);

        using (var body = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{run}")))
        {
            var approve = body.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("name").GetString() == "approve");
            Assert.Equal("waiting", approve.GetProperty("status").GetString());
            Assert.Equal("approval", approve.GetProperty("pendingReason").GetProperty("kind").GetString());
            Assert.Equal("waiting for approval by carol, role:maintainer (0 of 2)", approve.GetProperty("pendingReason").GetProperty("text").GetString());
            Assert.Equal("running", body.RootElement.GetProperty("status").GetString());
        }

        // Someone the gate does not name may not decide it; someone who cannot see the repository is not told it exists.
        var refused = await world.Client("dev").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { comment = "lgtm" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("dev may not decide 'approve'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Client("nemo").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { })).StatusCode);

        // The triggerer is named too (a maintainer), but alone does not count.
        Assert.True(await world.Service<IMemberStore>().SetMemberAsync(GateWorld.Repository, "tom", Role.Maintainer, CancellationToken.None));
        var alone = await Decision(await world.Client("tom").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { sha = world.Sha }));
        Assert.False(alone.Decided);
        Assert.Contains("triggerer", alone.Summary, StringComparison.Ordinal);
        Assert.Equal("waiting", (await world.Server.GetRunAsync(run)).Jobs!.Single(j => j.Name == "approve").Status);

        var carol = await Decision(await world.Client("carol").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { comment = "ship it" }));
        Assert.True(carol.Decided);
        Assert.Equal(("succeeded", "carol", "api", world.Sha), (carol.JobStatus, carol.Person, carol.Channel, carol.Sha));

        var ended = await world.Server.WaitForRunAsync(run);
        Assert.Equal("succeeded", ended.Status);
        var approved = ended.Jobs!.Single(j => j.Name == "approve");
        Assert.Equal("approved by tom, carol", approved.FailureDetail);
        Assert.NotNull(approved.StartedAt);
        Assert.Equal("succeeded", ended.Jobs!.Single(j => j.Name == "after").Status);

        var late = await world.Client("maya").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("not open for approval any more", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var audit = await world.AuditAsync(AuditActions.GateApproved);
        Assert.Contains(audit, e => e.Actor == "carol" && e.Outcome == AuditOutcomes.Ok && e.RunId == run && e.Detail!.Contains("channel api; comment: ship it", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Actor == "tom" && e.Outcome == AuditOutcomes.Ok);
        Assert.Contains(audit, e => e.Actor == "dev" && e.Outcome == AuditOutcomes.Denied && e.Detail!.Contains("channel api", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Actor == "maya" && e.Outcome == AuditOutcomes.Denied);
        Assert.Equal(2, (await world.Service<IApprovalStore>().GetApprovalsAsync(run, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_rejection_cancels_the_gate_and_skips_what_needs_it_and_a_moved_on_commit_is_refused()
    {
        var (run, gate) = await world.StartGatedRunAsync(["role:maintainer"]);

        var moved = await world.Client("maya").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/approve", new { sha = "0123456789abcdef" });
        Assert.Equal(HttpStatusCode.Conflict, moved.StatusCode);
        Assert.Contains($"the change moved on: approvals are for commit {world.Sha}", await moved.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await world.Client("maya").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate + 100}/reject", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.Server.Anonymous.PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/reject", new { })).StatusCode);

        var rejected = await Decision(await world.Client("maya").PostAsJsonAsync($"/api/v1/runs/{run}/jobs/{gate}/reject", new { comment = "not like this" }));
        Assert.True(rejected.Decided);
        Assert.Equal("cancelled", rejected.JobStatus);

        var ended = await world.Server.WaitForRunAsync(run);
        Assert.Equal("cancelled", ended.Status);
        var approve = ended.Jobs!.Single(j => j.Name == "approve");
        Assert.Equal("rejected by maya (api): not like this", approve.FailureDetail);
        Assert.Equal("skipped", ended.Jobs!.Single(j => j.Name == "after").Status);

        var audit = await world.AuditAsync(AuditActions.GateRejected);
        Assert.Contains(audit, e => e.Actor == "maya" && e.Outcome == AuditOutcomes.Ok && e.Detail!.Contains("channel api; comment: not like this", StringComparison.Ordinal));
        Assert.Contains(await world.AuditAsync(AuditActions.GateApproved), e => e.Actor == "maya" && e.Outcome == AuditOutcomes.Denied && e.Detail!.Contains("moved on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_team_approves_through_its_groups_and_a_gate_whose_deadline_passed_fails_as_timeout()
    {
        var decisions = world.Service<GateDecisions>();
        var (run, gate) = await world.StartGatedRunAsync(["team:leads"]);
        var outsider = await decisions.DecideAsync(run, gate, new GateDecider("dev", ["devs"]), ApprovalChannel.Dashboard, true, null, null, CancellationToken.None);
        Assert.IsType<GateDecision.Refused>(outsider);
        var lead = await decisions.DecideAsync(run, gate, new GateDecider("dev", ["leads"]), ApprovalChannel.Dashboard, true, null, null, CancellationToken.None);
        Assert.True(Assert.IsType<GateDecision.Recorded>(lead).Decided);
        Assert.Equal("succeeded", (await world.Server.WaitForRunAsync(run)).Status);

        var (late, lateGate) = await world.StartGatedRunAsync(["carol"], timeout: TimeSpan.FromMilliseconds(1));
        var ended = await world.Server.WaitForRunAsync(late);
        Assert.Equal("failed", ended.Status);
        var timedOut = ended.Jobs!.Single(j => j.Id == lateGate);
        Assert.Equal(("failed", "timeout", "no decision within 1ms"), (timedOut.Status, timedOut.FailureClass, timedOut.FailureDetail));
        Assert.Equal("skipped", ended.Jobs!.Single(j => j.Name == "after").Status);
    }

    private static async Task<GateDecisionView> Decision(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<GateDecisionView>())!;
    }
}
