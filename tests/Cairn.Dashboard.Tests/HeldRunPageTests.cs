using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The run page of a run held in its concurrency group says, in words, behind which run it waits.</summary>
public sealed class HeldRunPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_held_runs_page_names_the_run_ahead_for_each_job_and_links_to_it()
    {
        const string Pipeline = """
            name: deploy
            on: { manual: {} }
            concurrency: deploy
            jobs:
              deploy:
                steps: [{ run: sleep 300 }]
              announce:
                needs: [deploy]
                steps: [{ run: echo deployed }]
            """;
        var page = await site.SignedInPageAsync();
        var first = await site.StartRunAsync(Pipeline);
        var held = await site.StartRunAsync(Pipeline);

        await page.GotoAsync($"/runs/{held.Id}");

        var reason = $"waiting behind run #{first.Number} in concurrency group 'deploy'";
        Assert.Equal(("waiting", (long?)first.Id), (held.Status, held.WaitingBehind));
        await Assertions.Expect(page.Locator(".pending[data-kind='concurrency']")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".pending[data-kind='concurrency']").First).ToContainTextAsync(reason);

        // Why a job waits reads on the job's own line, without opening it.
        await Assertions.Expect(page.Locator(".job:not([open]) > summary .pending[data-kind='concurrency']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#waiting-behind")).ToHaveAttributeAsync("href", $"/runs/{first.Id}");
        var folder = Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } given ? given : Path.Combine(Path.GetTempPath(), "cairn-dashboard-shots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "held-run-1280.png"), FullPage = true });

        await site.Server.Client.PostAsync($"/api/v1/runs/{held.Id}/cancel", null);
        await site.Server.Client.PostAsync($"/api/v1/runs/{first.Id}/cancel", null);
        await site.Server.WaitForRunAsync(first.Id);
    }
}
