using Cairn.Core.Agents;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Agents;

/// <summary>The commit status a real server posts for an agent job that ended: its turns, cost and time, then its verdict.</summary>
public sealed class StatusProjectionTests : IAsyncLifetime
{
    private const string Repository = "octo/app";
    private readonly TempDirectory data = new();
    private readonly GitRepository git = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync(Repository, "github", git.CloneUrl, forge.Url, "s");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        git.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task An_agent_job_that_passed_says_its_turns_and_cost_in_its_status()
    {
        var sha = git.Commit(new Dictionary<string, string> { ["README.md"] = "hello" });
        var go = data.Combine("go");
        // The job's one step waits until the agent's record is written, as an agent job records before it ends.
        var definition = new JobDefinitionJson(
            "implement", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], null, [new StepJson("agent", $"while [ ! -f '{go}' ]; do sleep 0.05; done", new Dictionary<string, string>(), null, null)])
        {
            Kind = "agent",
        };
        var trigger = new TriggerEvent(TriggerKind.Manual, Repository, "refs/heads/main", sha, new Dictionary<string, string>(), null);
        var run = await server.Services.GetRequiredService<Core.Engine.RunCoordinator>().StartRunAsync(
            new RunPlan("agents", trigger, [new PlannedJob("implement", "implement", [], [], definition.Serialize())]), CancellationToken.None);
        var job = (await server.GetRunAsync(run.Id)).Jobs![0].Id;
        await server.Services.GetRequiredService<IAgentSessionStore>().RecordAgentAsync(
            job, 1, new AgentReport(AgentCli.Claude, "sonnet", "s", new AgentUsage(12, 48_000, 9_000, 0.84m), "done", "cairn/1-implement", null, null, true),
            DateTimeOffset.UtcNow, CancellationToken.None);
        await File.WriteAllTextAsync(go, "", TestContext.Current.CancellationToken);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(run.Id)).Status);

        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/agents/implement" && x.State == "success"));

        var passed = statuses.Single(x => x.Context == "cairn/agents/implement" && x.State == "success");
        Assert.Matches(@"^12 turns · \$0\.84 · \d+s · passed$", passed.Description);
    }

    [Fact]
    public async Task An_open_gate_says_how_many_approvals_it_has_in_its_status_as_they_come()
    {
        var sha = git.Commit(new Dictionary<string, string> { ["README.md"] = "hello" });
        var definition = new JobDefinitionJson(
            "approve", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], null, [])
        {
            Kind = "approval",
            Approval = new ApprovalJson(["carol", "dave"], 2, (long)TimeSpan.FromHours(1).TotalMilliseconds),
        };
        var trigger = new TriggerEvent(TriggerKind.Manual, Repository, "refs/heads/main", sha, new Dictionary<string, string>(), null);
        var run = await server.Services.GetRequiredService<Core.Engine.RunCoordinator>().StartRunAsync(
            new RunPlan("gated", trigger, [new PlannedJob("approve", "approve", [], [], definition.Serialize())]), CancellationToken.None);
        var job = (await server.GetRunAsync(run.Id)).Jobs![0].Id;

        await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/gated/approve" && x.Description == "waiting for approval (0 of 2)"));

        // What deciding one approval of two writes on the gate's job (GateDecisions), which stays waiting.
        Assert.True(await server.Services.GetRequiredService<Core.Gates.IApprovalStore>().SetGateReasonAsync(
            job, Core.Gates.GateReasons.Waiting(["carol", "dave"], 1, 2), CancellationToken.None));

        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/gated/approve" && x.Description == "waiting for approval (1 of 2)"));
        Assert.Equal("pending", statuses.Last(x => x.Context == "cairn/gated/approve").State);
    }
}
