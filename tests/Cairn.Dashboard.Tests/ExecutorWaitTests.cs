using Cairn.Core.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A running job whose executor cannot start it yet (a pod no node fits) says why on its page, as it changes,
/// without the reader reloading.</summary>
public sealed class ExecutorWaitTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_jobs_page_follows_its_executors_reason_for_waiting()
    {
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              slow:
                steps: [{ name: wait, run: sleep 300 }]
            """);
        var store = site.Server.Services.GetRequiredService<IRunStore>();
        var job = await Eventually.ValueAsync<JobRecord?>(
            async () => (await store.GetJobsAsync(run.Id, CancellationToken.None)).SingleOrDefault(j => j.Status == JobStatus.Running),
            running => running is not null,
            "the job is running");
        var lease = site.LeaseOf(job!.Id);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");
        const string reason = "waiting for a node: 0/3 nodes are available: 3 Insufficient cpu.";
        await Assertions.Expect(page.GetByText(reason)).ToHaveCountAsync(0);

        Assert.True(await store.SetPendingReasonAsync(job.Id, lease, reason, CancellationToken.None));
        await Assertions.Expect(page.GetByText(reason)).ToHaveCountAsync(1, new() { Timeout = 20_000 });

        Assert.True(await store.SetPendingReasonAsync(job.Id, lease, null, CancellationToken.None));
        await Assertions.Expect(page.GetByText(reason)).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await site.Server.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
    }
}
