using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Dashboard.Tests;

/// <summary>Every page renders for a signed-in person at desktop and phone width; with CAIRN_DASHBOARD_SHOTS set to a
/// folder (docs/dashboard), each is kept there as a PNG.</summary>
public sealed class ScreenshotTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Every_page_renders_at_desktop_and_phone_width()
    {
        var folder = Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } given ? given : Path.Combine(Path.GetTempPath(), "cairn-dashboard-shots");
        Directory.CreateDirectory(folder);
        var failed = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ name: compile, run: echo compiled }, { name: package, run: echo packaged }]
              test:
                needs: [build]
                steps: [{ name: unit, run: echo ok }, { name: integration, run: "echo 'connection refused' >&2; exit 1" }]
              deploy:
                needs: [test]
                steps: [{ run: echo deploy }]
            """);
        var ended = await site.Server.WaitForRunAsync(failed.Id);
        await site.Artifacts.KeepAsync(failed.Id, ended.Jobs!.Single(j => j.Name == "build").Id,
            ("dist/cairn-linux-x64.tar.gz", new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }),
            ("dist/checksums.txt", System.Text.Encoding.UTF8.GetBytes("9f2c41e7  cairn-linux-x64.tar.gz\n")),
            ("reports/coverage.xml", System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<coverage line-rate=\"0.87\">\n  <packages/>\n</coverage>\n")));
        var running = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              slow:
                steps: [{ name: wait, run: sleep 300 }]
            """);

        var worker = await site.Server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "build-1", labels = new[] { "linux", "big" } });
        Assert.True(worker.IsSuccessStatusCode, await worker.Content.ReadAsStringAsync());
        var workers = site.Server.Services.GetRequiredService<Cairn.Core.Workers.IWorkerStore>();
        Assert.NotNull(await workers.AddWorkerAsync(
            new Cairn.Core.Workers.NewWorker("gpu-2", ["gpu"], "AbCdEf12", new byte[32], DateTimeOffset.UtcNow, "admin"), CancellationToken.None));
        var connected = await workers.GetWorkerAsync("build-1", CancellationToken.None);
        await workers.TouchWorkerAsync(connected!.Id, DateTimeOffset.UtcNow, "1.0.0", "10.0.0.7", CancellationToken.None);
        Assert.True(await workers.SetWorkerPausedAsync("gpu-2", true, CancellationToken.None));

        // The running job as a pod no node fits would show it: its executor's reason, kept under its lease.
        var slow = await Eventually.ValueAsync<Cairn.Core.Runs.JobRecord?>(async () =>
        {
            var jobs = await site.Server.Services.GetRequiredService<Cairn.Core.Runs.IRunStore>().GetJobsAsync(running.Id, CancellationToken.None);
            return jobs.SingleOrDefault(j => j.Status == Cairn.Core.Runs.JobStatus.Running);
        }, job => job is not null, "the slow job is running");
        Assert.True(await site.Server.Services.GetRequiredService<Cairn.Core.Runs.IRunStore>().SetPendingReasonAsync(
            slow!.Id, site.LeaseOf(slow.Id), "waiting for a node: 0/3 nodes are available: 3 Insufficient cpu.", CancellationToken.None));

        var (agentRun, agentJob) = await AgentPanelTests.AgentRunAsync(site, "Added a retry to the fetch");

        var wide = await site.SignedInPageAsync(1280, 800);
        var narrow = await site.SignedInPageAsync(375, 740);
        string[] pages = ["/", "/runs", $"/runs/{failed.Id}", $"/runs/{running.Id}", $"/runs/{agentRun}", $"/runs/{agentRun}/jobs/{agentJob}", "/events", "/secrets", "/audit", "/workers",
            $"/runs/{failed.Id}/artifacts/build", $"/runs/{failed.Id}/artifacts/build?path=reports/coverage.xml"];
        foreach (var path in pages)
        {
            var name = path == "/" ? "repos"
                : path.EndsWith("?path=reports/coverage.xml", StringComparison.Ordinal) ? "runs-id-artifacts-file"
                : path == $"/runs/{agentRun}" ? "runs-agent"
                : path == $"/runs/{agentRun}/jobs/{agentJob}" ? "runs-agent-job"
                : path.Trim('/').Replace('/', '-').Replace(failed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "id", StringComparison.Ordinal)
                .Replace(running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "running", StringComparison.Ordinal);
            var response = await wide.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            await wide.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-1280.png"), FullPage = true });
            if (path.StartsWith("/runs", StringComparison.Ordinal))
            {
                await narrow.GotoAsync(path);
                await narrow.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-375.png"), FullPage = true });
            }
        }

        await wide.GotoAsync("/login");
        await site.Server.Client.PostAsync($"/api/v1/runs/{running.Id}/cancel", null);
        var anonymous = await site.NewPageAsync();
        await anonymous.GotoAsync("/login");
        await anonymous.ScreenshotAsync(new() { Path = Path.Combine(folder, "login-1280.png") });
        Assert.True(File.Exists(Path.Combine(folder, "runs-id-375.png")));
    }
}
