using Cairn.Server.Api;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A job that failed, was retried and then succeeded: its page and the runs API show both attempts, newest
/// first, with the first one's failure, and the job's worker and runner.</summary>
public sealed class AttemptHistoryTests(DashboardSite site) : IClassFixture<DashboardSite>, IDisposable
{
    private readonly TempDirectory marks = new();

    // The step fails the first time (no mark yet) and succeeds the second.
    private string Pipeline => $$"""
        name: ci
        on: { manual: {} }
        jobs:
          flaky:
            retry: { max: 2, on: [script], backoff: 1s }
            steps:
              - name: once
                run: "if [ -f '{{marks.Path}}/ran' ]; then echo second; else touch '{{marks.Path}}/ran'; echo first; exit 3; fi"
        """;

    [BrowserFact]
    public async Task A_retried_jobs_page_shows_both_attempts_newest_first_with_the_first_ones_failure()
    {
        var run = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline)).Id);
        Assert.True(run.Jobs is { Count: 1 }, string.Join("; ", run.Errors));
        var job = run.Jobs[0];
        Assert.Equal(("succeeded", 2), (job.Status, job.Attempt));
        Assert.Equal([2, 1], job.Attempts.Select(a => a.Attempt));
        Assert.Equal(("failed", "script", 3), (job.Attempts[1].Status, job.Attempts[1].FailureClass, job.Attempts[1].ExitCode));
        Assert.Equal(("succeeded", 0), (job.Attempts[0].Status, job.Attempts[0].ExitCode));
        Assert.NotNull(job.Worker);
        Assert.Equal(job.Attempts[0].Worker, job.Worker);
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");

        var rows = page.Locator("table.attempts tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("data-attempt", "2");
        await Assertions.Expect(rows.Nth(0).Locator(".status")).ToHaveTextAsync("✓succeeded");
        await Assertions.Expect(rows.Nth(1).Locator(".status")).ToHaveTextAsync("✗failed");
        await Assertions.Expect(rows.Nth(1).Locator("td.failure")).ToContainTextAsync("script");
        await Assertions.Expect(rows.Nth(1).Locator("td").Nth(3)).ToHaveTextAsync("3");
        await Assertions.Expect(rows.Nth(0).Locator("td").Last).ToHaveTextAsync(job.Worker!);
        var facts = page.Locator("dl.facts");
        await Assertions.Expect(facts).ToContainTextAsync("Runner");
        await Assertions.Expect(facts).ToContainTextAsync(job.Worker!);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "job-attempts-1280.png") });
        }
    }

    [BrowserFact]
    public async Task The_attempt_history_reads_without_javascript()
    {
        var run = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline)).Id);
        var job = Assert.Single(run.Jobs!);

        var html = await SignedInHtmlAsync($"/runs/{run.Id}/jobs/{job.Id}");

        Assert.Contains("<table class=\"attempts\"", html, StringComparison.Ordinal);
        Assert.Contains("data-attempt=\"1\"", html, StringComparison.Ordinal);
    }

    private async Task<string> SignedInHtmlAsync(string path)
    {
        // The page as the server sends it, before any script runs: what a browser without JavaScript shows.
        var page = await site.SignedInPageAsync();
        var response = await page.APIRequest.GetAsync(path);
        Assert.Equal(200, response.Status);
        return await response.TextAsync();
    }

    public void Dispose() => marks.Dispose();
}
