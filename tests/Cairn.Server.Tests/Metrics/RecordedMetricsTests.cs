using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests.Metrics;

/// <summary>What a real server records while it runs a job that needs a secret and fails once before it succeeds: the
/// retry by its class, each secret read, each step and both attempts, counted in this test's own flow only.</summary>
public sealed class RecordedMetricsTests : IDisposable
{
    private readonly TempDirectory data = new();
    private readonly TempDirectory marks = new();

    public void Dispose()
    {
        marks.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_retried_job_counts_its_retry_its_secret_reads_its_steps_and_both_attempts()
    {
        using var metrics = new MetricRecorder();
        await using var server = await ServerHarness.StartAsync(data.Path);
        using var repo = new GitRepository();
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, "http://127.0.0.1:9/", "s");
        var secret = await server.Client.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/TOKEN", new { value = "token-value-7e21" }, TestContext.Current.CancellationToken);
        Assert.True(secret.IsSuccessStatusCode);
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              flaky:
                secrets: [TOKEN]
                retry: { max: 1, on: [script], backoff: 1s }
                steps:
                  - run: test -n "$TOKEN"
                  - run: "if [ -f '{{marks.Path}}/ran' ]; then exit 0; fi; touch '{{marks.Path}}/ran'; exit 4"
            """);

        var started = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" }, TestContext.Current.CancellationToken);
        var run = await server.WaitForRunAsync((await started.Content.ReadFromJsonAsync<RunView>(TestContext.Current.CancellationToken))!.Id);

        Assert.Equal("succeeded", run.Status);
        Assert.Equal(1, metrics.Sum("cairn_retries_total", ("class", "script")));
        Assert.Equal(2, metrics.Sum("cairn_secret_reads_total"));
        Assert.Equal(1, metrics.Sum("cairn_jobs_total", ("status", "succeeded"), ("executor", "shell")));
        Assert.Equal(1, metrics.Sum("cairn_runs_total", ("status", "succeeded"), ("event", "manual")));
        Assert.True(metrics.Sum("cairn_log_bytes_total") > 0, "the job's log is counted");
    }
}
