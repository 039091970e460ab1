using System.Text.Json;
using Cairn.Core.Agents;
using Cairn.Core.Publishing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn show</c> of a run with an agent record and a pull request, against the real server in this process.</summary>
public sealed class AgentShowTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private LiveServer server = null!;

    public async ValueTask InitializeAsync() => server = await LiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task Show_prints_each_agent_jobs_usage_and_result_and_the_runs_pull_requests()
    {
        var (run, job) = await server.RunAsync("name: ci\non: { manual: {} }\njobs:\n  implement:\n    steps: [{ name: work, run: 'true' }]\n");
        var token = TestContext.Current.CancellationToken;
        var agents = server.Services.GetRequiredService<IAgentSessionStore>();
        await agents.RecordAgentAsync(job, 1, new AgentReport(AgentCli.Claude, "sonnet", "6f1c2e3a-0000-4000-8000-000000000000",
            new AgentUsage(12, 48_000, 9_000, 0.84m), "Added a retry to the fetch\n\nand a test for it", "cairn/1-implement", "0123456789abcdef", null, true), DateTimeOffset.UtcNow, token);
        await server.Services.GetRequiredService<IPullRequestStore>().RecordPullRequestAsync(
            new PullRequestRecord(run, job, "octo/app", "cairn/1-implement", 12, "https://forge.test/octo/app/pull/12", "0123456789abcdef", true, "passing", null, DateTimeOffset.UtcNow), token);

        var shown = await CairnAsync("show", run.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var json = await CairnAsync("show", run.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(shown.ExitCode == 0, shown.ToString());
        var lines = shown.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("implement:", lines);
        Assert.Contains("  agent: claude sonnet · 12 turns · 48k in / 9k out tokens · $0.84 · session 6f1c…", lines);
        Assert.Contains("  result: Added a retry to the fetch", lines);
        Assert.Contains("  branch: cairn/1-implement at 0123456", lines);
        Assert.Contains("PR #12: checks passing https://forge.test/octo/app/pull/12 (draft)", lines);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Stdout);
        var agent = document.RootElement.GetProperty("jobs")[0].GetProperty("agent");
        Assert.Equal(12, agent.GetProperty("turns").GetInt32());
        Assert.Equal(0.84m, agent.GetProperty("costUsd").GetDecimal());
        Assert.Equal(12, document.RootElement.GetProperty("pullRequests")[0].GetProperty("number").GetInt32());
    }

    [Fact]
    public async Task Show_of_a_run_without_agents_prints_no_agent_lines()
    {
        var (run, _) = await server.RunAsync("name: ci\non: { manual: {} }\njobs:\n  build:\n    steps: [{ name: work, run: 'true' }]\n");

        var shown = await CairnAsync("show", run.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.DoesNotContain("agent:", shown.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PR #", shown.Stdout, StringComparison.Ordinal);
    }

    private Task<CairnResult> CairnAsync(params string[] args) =>
        CairnProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = server.Token }, args);
}
