using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Agents;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Agents;

/// <summary>An agent job's records through the run API, and its transcript endpoint: served masked, refused outside the
/// server's agents folder, 404 once gone.</summary>
public sealed class AgentSurfaceTests : IAsyncLifetime
{
    private const string Secret = "transcript-secret-5d9e";
    private JobLogs logs = null!;

    private HttpClient Client => logs.Server.Client;

    public async ValueTask InitializeAsync() => logs = await JobLogs.StartAsync();

    public async ValueTask DisposeAsync() => await logs.DisposeAsync();

    [Fact]
    public async Task A_run_shows_each_agent_jobs_latest_record_and_every_attempt()
    {
        var (run, job) = await FinishedJobAsync();
        var at = DateTimeOffset.UtcNow;
        await RecordAsync(job, 1, new AgentReport(AgentCli.Claude, "sonnet", "session-one", new AgentUsage(3, 1_000, 200, 0.12m), "failed", "cairn/1-build", null, null, true), at);
        await RecordAsync(job, 2, new AgentReport(AgentCli.Claude, "sonnet", "session-two", new AgentUsage(12, 48_000, 9_000, 0.84m), "Added the retry\nand its test", "cairn/1-build", "abc123", null, true), at.AddMinutes(1));

        var view = await logs.Server.GetRunAsync(run);

        var agent = view.Jobs!.Single(j => j.Id == job).Agent;
        Assert.NotNull(agent);
        Assert.Equal(("claude", "sonnet", "session-two", 12, 48_000L, 9_000L, 0.84m), (agent.Cli, agent.Model, agent.SessionId, agent.Turns, agent.InputTokens, agent.OutputTokens, agent.CostUsd));
        Assert.Equal(("Added the retry\nand its test", "cairn/1-build", "abc123"), (agent.Result, agent.Branch, agent.Head));
        Assert.Equal("12 turns · $0.84", agent.Summary);
        Assert.Equal([2, 1], agent.Attempts.Select(a => a.Attempt));
        Assert.Equal(["session-two", "session-one"], agent.Attempts.Select(a => a.SessionId));
        Assert.Equal([0.84m, 0.12m], agent.Attempts.Select(a => a.CostUsd ?? 0));
        Assert.Null(view.Jobs!.Single(j => j.Id == job).Gate);
    }

    [Fact]
    public async Task A_run_without_agent_records_shows_no_agent()
    {
        var (run, _) = await FinishedJobAsync();

        var json = await Client.GetStringAsync($"/api/v1/runs/{run}");

        Assert.DoesNotContain("\"agent\":{", json, StringComparison.Ordinal);
        Assert.Null((await logs.Server.GetRunAsync(run)).Jobs![0].Agent);
    }

    [Fact]
    public async Task The_transcript_is_served_with_the_jobs_secrets_masked()
    {
        var (run, job) = await FinishedJobAsync();
        var path = Transcript(run, job, 1);
        await File.WriteAllTextAsync(path, $"{{\"type\":\"system\",\"session_id\":\"s1\"}}\n{{\"type\":\"assistant\",\"text\":\"the token is {Secret}\"}}\n", TestContext.Current.CancellationToken);
        await RecordAsync(job, 1, Report(path), DateTimeOffset.UtcNow);

        var response = await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/agent/transcript?attempt=1", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Equal(["{\"type\":\"system\",\"session_id\":\"s1\"}", "{\"type\":\"assistant\",\"text\":\"the token is ***\"}"], text.TrimEnd('\n').Split('\n'));

        // Without attempt=N it is the job's current attempt.
        Assert.Equal(text, await Client.GetStringAsync($"/api/v1/runs/{run}/jobs/{job}/agent/transcript", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_transcript_outside_the_agents_folder_is_refused_and_one_gone_is_404()
    {
        var (run, job) = await FinishedJobAsync();
        var outside = logs.Combine("outside.jsonl");
        await File.WriteAllTextAsync(outside, "{\"leak\":true}\n", TestContext.Current.CancellationToken);
        var link = Transcript(run, job, 3);
        File.CreateSymbolicLink(link, outside);
        var gone = Transcript(run, job, 4);
        await RecordAsync(job, 1, Report(outside), DateTimeOffset.UtcNow);
        await RecordAsync(job, 2, Report(Path.Combine(logs.Server.DataDirectory, "agents", "..", "outside.jsonl")), DateTimeOffset.UtcNow);
        await RecordAsync(job, 3, Report(link), DateTimeOffset.UtcNow);
        await RecordAsync(job, 4, Report(gone), DateTimeOffset.UtcNow);

        foreach (var attempt in new[] { 1, 2, 3, 4, 5 })
        {
            var response = await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/agent/transcript?attempt={attempt}", TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"attempt {attempt}: {response.StatusCode} {body}");
            Assert.DoesNotContain("leak", body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/agent/transcript?attempt=first", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/runs/{run + 1000}/jobs/{job}/agent/transcript", TestContext.Current.CancellationToken)).StatusCode);
    }

    private async Task<(long Run, long Job)> FinishedJobAsync()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/TOKEN", new { value = Secret })).StatusCode);
        var (run, job) = await logs.StartAsync("    secrets: [TOKEN]\n    steps: [{ name: build, run: 'true' }]\n");
        await logs.Server.WaitForRunAsync(run);
        return (run, job);
    }

    private string Transcript(long run, long job, int attempt)
    {
        var folder = Path.Combine(logs.Server.DataDirectory, "agents", $"run-{run}", $"job-{job}");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"attempt-{attempt}.jsonl");
    }

    private static AgentReport Report(string transcript) =>
        new(AgentCli.Claude, "sonnet", "s1", new AgentUsage(1, 10, 10, 0.01m), "done", "cairn/1-build", null, transcript, true);

    private Task RecordAsync(long job, int attempt, AgentReport report, DateTimeOffset at) =>
        logs.Server.Services.GetRequiredService<IAgentSessionStore>().RecordAgentAsync(job, attempt, report, at, TestContext.Current.CancellationToken);
}
