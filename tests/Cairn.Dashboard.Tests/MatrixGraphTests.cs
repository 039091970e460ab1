using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The run page's graph of a pipeline with a matrix: the legs are one node that counts how many passed, every
/// node is a link to its job, and a status reads as a word and a sign, not only as a colour.</summary>
public sealed class MatrixGraphTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_matrix_is_one_node_saying_how_many_legs_passed_and_each_node_leads_to_its_job()
    {
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              test:
                matrix: { leg: [a, b, c, d] }
                env: { LEG: "${{ matrix.leg }}" }
                steps: [{ name: check, run: "echo leg $LEG; test $LEG != c" }]
              ship:
                needs: [test]
                steps: [{ run: echo shipped }]
            """);
        var ended = await site.Server.WaitForRunAsync(run.Id);
        Assert.True(ended.Jobs!.Count == 5, string.Join("; ", ended.Errors));
        var failedLeg = ended.Jobs!.Single(j => j.Status == "failed");
        var ship = ended.Jobs!.Single(j => j.Name == "ship");
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}");

        var nodes = page.Locator("section#graph svg.job-graph a.jg-node");
        await Assertions.Expect(nodes).ToHaveCountAsync(2);
        var matrix = nodes.Filter(new LocatorFilterOptions { HasText = "3/4 passed" });
        await Assertions.Expect(matrix).ToHaveCountAsync(1);
        await Assertions.Expect(matrix.Locator("text.jg-sub")).ToHaveTextAsync("3/4 passed · failed");
        await Assertions.Expect(matrix.Locator("text.jg-sign")).ToHaveTextAsync("✗");
        await Assertions.Expect(matrix.Locator("title")).ToContainTextAsync(new Regex("c\\)? failed"));
        // A matrix leads to the leg to look at first: its failed one.
        await Assertions.Expect(matrix).ToHaveAttributeAsync("href", $"/runs/{run.Id}/jobs/{failedLeg.Id}");
        var needing = nodes.Filter(new LocatorFilterOptions { HasNotText = "passed" });
        await Assertions.Expect(needing.Locator("text.jg-sub")).ToHaveTextAsync(ship.Status);
        await Assertions.Expect(needing.Locator("text.jg-sign")).Not.ToHaveTextAsync("");
        await Assertions.Expect(needing.Locator("text.jg-sign")).Not.ToHaveTextAsync("✗");
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.Locator("section#graph").ScreenshotAsync(new() { Path = Path.Combine(folder, "graph-matrix.png") });
        }

        await matrix.ClickAsync();
        await page.WaitForURLAsync($"**/runs/{run.Id}/jobs/{failedLeg.Id}");
        await Assertions.Expect(page.Locator("#log", new PageLocatorOptions { HasText = "leg c" })).ToHaveCountAsync(1);

        await page.GoBackAsync();
        await needing.ClickAsync();
        await page.WaitForURLAsync($"**/runs/{run.Id}/jobs/{ship.Id}");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("ship");
    }
}
