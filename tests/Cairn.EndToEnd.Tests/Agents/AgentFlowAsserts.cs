using System.Text.Json.Nodes;
using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Server.Api;

namespace Cairn.EndToEnd.Tests.Agents;

/// <summary>What a person checks at each turn of an agent task: the agent's sessions and branch, the waiting gate, what
/// was pushed and opened, and what Plane was told.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class AgentFlowAsserts
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The agent job's first attempt fails its verify step, the second resumes the same session with the
    /// failing output and passes, and the gate then waits for alice: answers the branch's tip.</summary>
    public static async Task<(string Session, string Tip)> GateOpensAfterTheResumedSessionAsync(AgentWorld world, long run, IReadOnlyDictionary<string, long> jobs)
    {
        var approve = await world.WaitForJobAsync(run, "approve", j => j.PendingReason?.Kind == "approval", "to wait for approval", TimeSpan.FromSeconds(180));
        Assert.Equal("waiting", approve.Status);
        Assert.Contains("waiting for approval", approve.PendingReason!.Text, StringComparison.Ordinal);
        Assert.Contains("alice", approve.PendingReason.Text, StringComparison.Ordinal);

        var implement = (await world.GetRunAsync(run)).Jobs!.Single(j => j.Name == "implement");
        Assert.Equal(("succeeded", 2), (implement.Status, implement.Attempt));
        var first = implement.Attempts.Single(a => a.Attempt == 1);
        Assert.Equal("failed", first.Status);
        Assert.Contains(first.FailureClass, new[] { "script", "test" });

        // The stub's own log of its starts: a session Cairn chose, then --resume of it with the verify step's output.
        var starts = world.Invocations(run, jobs["implement"]);
        Assert.Equal(2, starts.Count);
        var session = ArgumentAfter(starts[0], "--session-id");
        Assert.False(string.IsNullOrEmpty(session), starts[0].ToJsonString());
        Assert.Equal(session, ArgumentAfter(starts[1], "--resume"));
        Assert.Equal(true, (bool?)starts[1]["resume"]);
        var resumePrompt = (string)starts[1]["prompts"]!.AsArray()[^1]!;
        Assert.Contains(AgentResumption.VerifyPrefix.TrimEnd('\n'), resumePrompt, StringComparison.Ordinal);
        Assert.Contains("answer.txt still says: first draft", resumePrompt, StringComparison.Ordinal);

        // On record: both attempts, one session, the verify failure, the turns and the cost.
        var branch = AgentBranches.For(run, "implement");
        var records = (await (await world.StoreAsync()).GetAgentSessionsAsync(run, Token)).OrderBy(r => r.Attempt).ToList();
        Assert.Equal([1, 2], records.Select(r => r.Attempt));
        Assert.All(records, r => Assert.Equal((session, branch, AgentCli.Claude, true), (r.Report.SessionId, r.Report.Branch, r.Report.Cli, r.Report.Ended)));
        Assert.Contains("answer.txt still says: first draft", records[0].Report.VerifyFailure, StringComparison.Ordinal);
        Assert.Equal((2, 0.05m), (records[0].Report.Usage.Turns, records[0].Report.Usage.CostUsd));
        Assert.Equal((1, 0.02m), (records[1].Report.Usage.Turns, records[1].Report.Usage.CostUsd));
        var tip = records[1].Report.Head!;

        // The branch holds the stub's two commits, and only the agent executor's repository has it so far.
        var agents = Path.Combine(world.Data, "agents", "repositories", "octo--app.git");
        Assert.Equal(tip, Git(agents, "rev-parse", $"refs/heads/{branch}"));
        Assert.Equal("fixed", Git(agents, "show", $"{tip}:answer.txt"));
        var subjects = Git(agents, "log", "--format=%s", $"refs/heads/{branch}").Split('\n');
        Assert.Equal(["Fix the answer", "Write the answer"], subjects[..2]);
        Assert.Empty(world.GitInRemote("branch", "--list", branch));
        var gate = await (await world.StoreAsync()).GetGateAsync(jobs["approve"], Token);
        Assert.Equal(tip, gate!.Sha);
        return (session!, tip);
    }

    /// <summary>The publish job pushed the agent's branch to the repository and opened a draft pull request of it;
    /// nothing was merged.</summary>
    public static async Task PublishedAsync(AgentWorld world, RunView ended, string tip)
    {
        var branch = AgentBranches.For(ended.Id, "implement");
        Assert.Equal(tip, world.GitInRemote("rev-parse", $"refs/heads/{branch}"));
        Assert.Equal("fixed", world.GitInRemote("show", $"refs/heads/{branch}:answer.txt"));

        var open = Assert.Single(world.Forge.Open);
        Assert.Equal((branch, "main"), (open.Head, open.Base));
        var created = world.Forge.Calls.Single(c => c.Method == "POST" && c.Target.Contains("/pulls", StringComparison.Ordinal));
        Assert.True((bool)created.Json["draft"]!);
        Assert.EndsWith("Cairn never merges.", (string)open.Fields["body"]!, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Forge.Calls, c => c.Target.Split('?')[0].EndsWith("/merge", StringComparison.Ordinal) || c.Method == "PUT");

        var shown = Assert.Single(ended.PullRequests!);
        Assert.Equal((open.Number, branch, true), (shown.Number, shown.Branch, shown.Draft));
        var publish = ended.Jobs!.Single(j => j.Name == "publish");
        Assert.Contains((await world.LogAsync(publish.Id)), l => l.StartsWith($"opened draft pull request #{open.Number}: ", StringComparison.Ordinal));
    }

    /// <summary>Plane was told, on the work item, that the run started, that the gate waits, that the pull request
    /// was opened and that the run finished: each once, under its external id; answers the comments by external id.</summary>
    public static async Task<IReadOnlyDictionary<string, (string Id, string WorkItem, string Html)>> CommentsAsync(
        AgentWorld world, long run, string item, string? seeded)
    {
        var gateJob = (await world.GetRunAsync(run)).Jobs!.Single(j => j.Name == "approve").Id;
        var number = world.Forge.Open.Single().Number;
        var expected = new Dictionary<string, string>
        {
            [$"cairn-run-{run}-started"] = "started",
            [$"cairn-run-{run}-gate-{gateJob}"] = "waits for approval",
            [$"cairn-run-{run}-pr-{number}"] = $"pull request #{number}</a> (draft)",
            [$"cairn-run-{run}-finished"] = "<strong>succeeded</strong>",
        };
        var comments = await Eventually.ValueAsync(
            () => Task.FromResult(world.Plane.Comments),
            kept => expected.Keys.All(kept.ContainsKey)
                && expected.Keys.All(id => world.Plane.Requests.Any(r => r.Method == "POST" && r.Body.Contains(id, StringComparison.Ordinal))),
            "Plane to hear of each turn of the run",
            TimeSpan.FromSeconds(60),
            kept => $"kept: {string.Join(", ", kept.Keys)}\n{world.Outputs()}");

        Assert.Equal(expected.Keys.Order(), comments.Keys.Where(k => k.StartsWith($"cairn-run-{run}-", StringComparison.Ordinal)).Order());
        foreach (var (id, words) in expected)
        {
            Assert.Equal(item, comments[id].WorkItem);
            Assert.Single(world.Plane.Requests, r => r.Method == "POST" && Posted(r.Body) == id);
            if (id != seeded)
            {
                Assert.Contains(words, comments[id].Html, StringComparison.Ordinal);
            }
        }

        return comments;
    }

    private static string? Posted(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["external_id"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? ArgumentAfter(JsonObject start, string option)
    {
        var args = start["args"]!.AsArray().Select(a => (string?)a).ToList();
        var at = args.IndexOf(option);
        return at >= 0 && at + 1 < args.Count ? args[at + 1] : null;
    }

    private static string Git(string directory, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = System.Diagnostics.Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        return git.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
    }
}
