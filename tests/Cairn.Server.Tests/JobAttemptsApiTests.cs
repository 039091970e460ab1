using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>A run's view carries each job's attempts, its worker and the runner it asked for.</summary>
public sealed class JobAttemptsApiTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly TempDirectory marks = new();
    private readonly GitRepository repo = new();
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await ServerHarness.StartAsync(data.Path, runners: """
            default: small
            runners:
              small: { executor: shell }
              big: { executor: shell }
            """);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, "http://127.0.0.1:9/", "s");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
        marks.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_retried_jobs_view_lists_both_attempts_newest_first_with_worker_and_runner()
    {
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              flaky:
                runner: big
                retry: { max: 1, on: [script], backoff: 1s }
                steps: [{ run: "if [ -f '{{marks.Path}}/ran' ]; then exit 0; fi; touch '{{marks.Path}}/ran'; exit 4" }]
              never:
                needs: [flaky]
                if: failure()
                steps: [{ run: echo never }]
            """);
        var started = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        var run = (await started.Content.ReadFromJsonAsync<RunView>())!;
        var ended = await server.WaitForRunAsync(run.Id);

        using var json = JsonDocument.Parse(await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}"));

        var jobs = json.RootElement.GetProperty("jobs");
        var flaky = jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "flaky");
        Assert.Equal("big", flaky.GetProperty("runner").GetString());
        var attempts = flaky.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([2, 1], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal(("failed", "script", 4), (attempts[1].GetProperty("status").GetString(), attempts[1].GetProperty("failureClass").GetString(),
            attempts[1].GetProperty("exitCode").GetInt32()));
        Assert.Equal("succeeded", attempts[0].GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(attempts[0].GetProperty("worker").GetString()));
        Assert.Equal(attempts[0].GetProperty("worker").GetString(), flaky.GetProperty("worker").GetString());
        var never = jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "never");
        Assert.Empty(never.GetProperty("attempts").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, never.GetProperty("worker").ValueKind);
        Assert.Equal("succeeded", ended.Status);
    }
}
