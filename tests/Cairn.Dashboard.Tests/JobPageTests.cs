using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The run page draws its jobs' graph, and a job's page shows its log through the viewer: what a person who
/// follows a failed run's link to its failing line goes through.</summary>
public sealed class JobPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Pipeline = """
        name: ci
        on: { manual: {} }
        jobs:
          build:
            steps: [{ name: compile, run: echo compiled }]
          test:
            needs: [build]
            steps: [{ name: unit, run: echo ok }, { name: integration, run: "printf '\\033[31mconnection refused\\033[0m\\n' >&2; exit 1" }]
          deploy:
            needs: [test]
            steps: [{ run: echo deploy }]
        """;

    [BrowserFact]
    public async Task The_run_page_draws_every_job_in_its_graph_linked_to_the_job()
    {
        var run = await site.StartRunAsync(Pipeline);
        var ended = await site.Server.WaitForRunAsync(run.Id);
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}");

        var nodes = page.Locator("section#graph svg.job-graph a.jg-node");
        await Assertions.Expect(nodes).ToHaveCountAsync(3);
        var test = ended.Jobs!.Single(j => j.Name == "test");
        await Assertions.Expect(page.Locator($"section#graph a.jg-failed[href='/runs/{run.Id}/jobs/{test.Id}']")).ToHaveCountAsync(1);
    }

    [BrowserFact]
    public async Task A_jobs_page_shows_its_log_in_the_viewer_with_the_failing_line_in_colour()
    {
        var run = await site.StartRunAsync(Pipeline);
        var ended = await site.Server.WaitForRunAsync(run.Id);
        var test = ended.Jobs!.Single(j => j.Name == "test");
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}/jobs/{test.Id}");

        var line = page.Locator("#log", new PageLocatorOptions { HasText = "connection refused" });
        await Assertions.Expect(line).ToHaveCountAsync(1);
        var red = await page.Locator("#log span", new PageLocatorOptions { HasText = "connection refused" }).Last
            .EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.NotEqual("rgb(208, 212, 216)", red);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "job-1280.png") });
            await page.GotoAsync($"/runs/{run.Id}");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "runs-id-1280.png"), FullPage = true });
        }
    }

    [BrowserFact]
    public async Task A_job_of_another_run_is_not_found()
    {
        var first = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline)).Id);
        var second = await site.StartRunAsync(Pipeline);
        var page = await site.SignedInPageAsync();

        var response = await page.GotoAsync($"/runs/{second.Id}/jobs/{first.Jobs![0].Id}");

        Assert.Equal(404, response!.Status);
        Assert.Equal(200, (await page.GotoAsync($"/runs/{first.Id}/jobs/{first.Jobs![0].Id}"))!.Status);
    }
}
