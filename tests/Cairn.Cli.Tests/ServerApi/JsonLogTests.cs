using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Tests;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A real <c>cairn server --log-format json</c>: every line it writes to stdout is a JSON object, and the
/// lines of a job's work name its run, its job and its trace.</summary>
public sealed class JsonLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Json_logs_are_one_object_a_line_and_a_jobs_lines_carry_its_run_job_and_trace()
    {
        using var repo = new GitRepository();
        repo.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ name: build, run: echo built }]
            """);
        var port = ServerProcessClient.FreePort();
        var data = _dir.Combine("data");
        await using var server = CairnProcess.Start(
            _dir.Path, new Dictionary<string, string?>(), "server", "--data", data, "--urls", $"http://127.0.0.1:{port}", "--concurrency", "1", "--log-format", "json");
        await server.WaitForStdoutAsync("listening on", TimeSpan.FromSeconds(60));
        using var client = await ServerProcessClient.ConnectAsync($"http://127.0.0.1:{port}", data, Token);
        var added = await client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/app", forge = "github", cloneUrl = repo.CloneUrl }, Token);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));
        var started = await client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" }, Token);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(Token));
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("id").GetInt64();
        var run = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{id}", Token)).RootElement,
            r => r.GetProperty("status").GetString() != "running",
            $"run {id} to end",
            TimeSpan.FromMinutes(2),
            r => $"{r}\n{server.StdoutSoFar}",
            Token);
        var jobId = run.GetProperty("jobs")[0].GetProperty("id").GetInt64();
        var traceId = run.GetProperty("traceId").GetString();
        await Eventually.TrueAsync(() => server.StdoutSoFar.Contains("ended succeeded", StringComparison.Ordinal), "the job's end to be logged", TimeSpan.FromSeconds(30), Token);

        await server.SignalAsync("TERM");
        var result = await server.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, l =>
        {
            Assert.Equal(JsonValueKind.Object, l.ValueKind);
            Assert.True(DateTimeOffset.TryParse(l.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
            Assert.EndsWith("Z", l.GetProperty("time").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(l.GetProperty("level").GetString()));
            Assert.False(string.IsNullOrEmpty(l.GetProperty("category").GetString()));
            Assert.True(l.TryGetProperty("message", out _));
        });
        Assert.Contains(lines, l => l.GetProperty("message").GetString()!.Contains("listening on", StringComparison.Ordinal));
        Assert.Contains(lines, l =>
            l.TryGetProperty("run_id", out var r) && r.GetInt64() == id
            && l.TryGetProperty("job_id", out var j) && j.GetInt64() == jobId
            && l.TryGetProperty("trace_id", out var t) && t.GetString() == traceId
            && l.TryGetProperty("span_id", out var s) && s.GetString()!.Length == 16);
    }
}
