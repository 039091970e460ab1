using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The run list and the run page, driven through their buttons.</summary>
public sealed class RunPagesTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Failing = """
        name: ci
        on: { manual: {} }
        jobs:
          lint:
            steps: [{ name: lint, run: echo lint }]
          flaky:
            steps: [{ name: check, run: exit 3 }]
        """;

    [BrowserFact]
    public async Task A_run_started_through_the_api_appears_on_the_run_list_without_a_reload()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/runs");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.notReloaded = true");

        var run = await site.StartRunAsync(Failing);

        await Assertions.Expect(page.Locator($"tr[data-run='{run.Id}']")).ToBeVisibleAsync();
        await site.Server.WaitForRunAsync(run.Id);
        await Assertions.Expect(page.Locator($"tr[data-run='{run.Id}'] .status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("failed"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [BrowserFact]
    public async Task Cancel_stops_a_running_run_and_the_page_says_why()
    {
        var page = await site.SignedInPageAsync();
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              wait:
                steps: [{ run: sleep 300 }]
            """);
        await page.GotoAsync($"/runs/{run.Id}");

        await page.ClickAsync("button:has-text('Cancel')");
        var ended = await site.Server.WaitForRunAsync(run.Id);
        await page.GotoAsync($"/runs/{run.Id}");

        Assert.Equal("cancelled", ended.Status);
        await Assertions.Expect(page.Locator("#cancel-reason")).ToContainTextAsync("cancelled from the dashboard");
        await Assertions.Expect(page.Locator(".run-head .status")).ToContainTextAsync("cancelled");
    }

    [BrowserFact]
    public async Task Rerun_failed_starts_a_run_of_the_failed_jobs_and_shows_it()
    {
        var page = await site.SignedInPageAsync();
        var run = await site.StartRunAsync(Failing);
        await site.Server.WaitForRunAsync(run.Id);
        await page.GotoAsync($"/runs/{run.Id}");
        await Assertions.Expect(page.Locator("details[data-job] .name", new PageLocatorOptions { HasText = "flaky" })).ToHaveAttributeAsync(
            "href", new System.Text.RegularExpressions.Regex($"/runs/{run.Id}/jobs/\\d+$"));

        await page.ClickAsync("button:has-text('Rerun failed')");
        await page.WaitForURLAsync(url => !url.EndsWith($"/runs/{run.Id}", StringComparison.Ordinal) && url.Contains("/runs/", StringComparison.Ordinal));

        var rerunId = long.Parse(new Uri(page.Url).AbsolutePath["/runs/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var rerun = await site.Server.WaitForRunAsync(rerunId);
        Assert.Equal(run.Id, rerun.RerunOf);
        Assert.Equal("succeeded", rerun.Jobs!.Single(j => j.Name == "lint").Status);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync($"run {run.Id}");
    }
}
