using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Server.Api;

namespace Cairn.EndToEnd.Tests.Agents;

/// <summary>The server (and with it the worker running the agent job) is killed with SIGKILL while the agent works; the
/// restarted server finds the job's lease expired, and the next attempt resumes the agent's session rather than
/// starting a new one.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentServerCrashTests
{
    /// <summary>The first start reports its session and then works for a long time; a resumed one finishes the task.</summary>
    private const string Scenario = """
        {
          "start": { "steps": [
            { "text": "Reading the code first." },
            { "sleepMs": 120000 },
            { "result": "success", "text": "Too late." }
          ] },
          "resume": { "steps": [
            { "text": "Picking up where I was." },
            { "write": "answer.txt", "content": "fixed\n" },
            { "commit": "Fix the answer" },
            { "result": "success", "text": "Fixed answer.txt.", "turns": 1, "costUsd": 0.02 }
          ] }
        }
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_killed_during_the_agent_job_resumes_the_agents_session_on_the_next_attempt()
    {
        await using var world = await AgentWorld.StartAsync(AgentTaskTests.Pipeline, Scenario, "--lease", "3s", "--heartbeat", "1s");
        var item = world.AddWorkItem("Fix the answer after a crash");
        await world.DeliverAsync(AgentWorld.WorkItemCreated(item));
        var run = await world.RunOfAsync("Fix the answer after a crash");
        var implement = run.Jobs!.Single(j => j.Name == "implement").Id;

        // The agent has started and its session is on record before the kill.
        var store = await world.StoreAsync();
        var started = await Eventually.ValueAsync(
            () => ((Core.Agents.IAgentSessionStore)store).GetAgentSessionAsync(implement, 1, Token),
            record => record?.Report.SessionId is { Length: > 0 } && world.Invocations(run.Id, implement).Count == 1,
            "the agent to start and its session to be recorded",
            TimeSpan.FromSeconds(90),
            _ => world.Outputs(),
            Token);
        var session = started!.Report.SessionId!;
        Assert.False(started.Report.Ended);

        var orphans = AgentsOf(session);
        Assert.NotEmpty(orphans);
        await world.KillServerAsync();

        // The agent carries the step sentinel's token: it dies with the server that started it, as a shell step does,
        // and never works on beside the attempt that resumes its session.
        foreach (var pid in orphans)
        {
            Assert.True(await Processes.IsGoneSoonAsync(pid, Token), $"the agent {pid} outlived the server that started it");
        }

        await world.StartServerAsync();

        var approve = await world.WaitForJobAsync(run.Id, "approve", j => j.PendingReason?.Kind == "approval", "to wait for approval", TimeSpan.FromSeconds(180));
        var job = (await world.GetRunAsync(run.Id)).Jobs!.Single(j => j.Name == "implement");
        Assert.Equal(("succeeded", 2), (job.Status, job.Attempt));
        Assert.Equal("infra", job.Attempts.Single(a => a.Attempt == 1).FailureClass);

        var starts = world.Invocations(run.Id, implement);
        Assert.Equal(2, starts.Count);
        Assert.Equal(session, After(starts[0], "--session-id"));
        Assert.Equal(session, After(starts[1], "--resume"));
        Assert.Contains(AgentResumption.Interrupted, (string)starts[1]["prompts"]!.AsArray()[^1]!, StringComparison.Ordinal);
        var second = await ((Core.Agents.IAgentSessionStore)store).GetAgentSessionAsync(implement, 2, Token);
        Assert.Equal((session, true), (second!.Report.SessionId, second.Report.Ended));

        using var approved = await world.Alice.PostAsJsonAsync($"/api/v1/runs/{run.Id}/jobs/{approve.Id}/approve", new GateDecisionRequest(null, null), Token);
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync(Token));
        var ended = await world.WaitForRunEndAsync(run.Id);
        Assert.True(ended.Status == "succeeded", string.Join("; ", ended.Jobs!.Select(j => $"{j.Name} {j.Status} {j.FailureClass} {j.FailureDetail}")));
        Assert.Equal(second.Report.Head, world.GitInRemote("rev-parse", $"refs/heads/{AgentBranches.For(run.Id, "implement")}"));
        Assert.Single(world.Forge.Open);
    }

    /// <summary>The stub agents running with <paramref name="session"/> on their command line.</summary>
    private static List<int> AgentsOf(string session)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var command = File.ReadAllText(Path.Combine(directory, "cmdline"));
                    if (command.Contains("cairn-stub-agent", StringComparison.Ordinal) && command.Contains(session, StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return found;
    }

    private static string? After(JsonObject start, string option)
    {
        var args = start["args"]!.AsArray().Select(a => (string?)a).ToList();
        var at = args.IndexOf(option);
        return at >= 0 && at + 1 < args.Count ? args[at + 1] : null;
    }
}
