using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>Searching every run's log from the dashboard: the form, the results newest first with the match marked, and a
/// result's link opening the job's page at that line.</summary>
public sealed class SearchPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Pipeline = """
        name: ci
        on: { manual: {} }
        jobs:
          migrate:
            steps: [{ name: wait, run: "echo waiting for db; echo '<b>Connection refused</b> by db:5432 & retrying'; echo done" }]
        """;

    [BrowserFact]
    public async Task A_search_finds_the_newest_run_first_and_its_link_opens_the_job_at_the_matching_line()
    {
        var older = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline)).Id);
        var newer = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline)).Id);
        var job = newer.Jobs!.Single();
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/runs");

        await page.GetByRole(AriaRole.Link, new() { Name = "Search logs" }).ClickAsync();
        await page.Locator("form[role=search] input[name=q]").FillAsync("REFUSED</b> BY DB:5432");
        await page.Locator("form[role=search] button[type=submit]").ClickAsync();

        var results = page.Locator("#results li.search-result");
        await Assertions.Expect(results).ToHaveCountAsync(2);
        await Assertions.Expect(results.Nth(0)).ToHaveAttributeAsync("data-run", newer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(results.Nth(1)).ToHaveAttributeAsync("data-run", older.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var line = results.Nth(0).Locator("a.search-line");
        await Assertions.Expect(line.Locator("mark")).ToHaveTextAsync("refused</b> by db:5432");
        await Assertions.Expect(line.Locator("code")).ToHaveTextAsync("<b>Connection refused</b> by db:5432 & retrying");
        await Assertions.Expect(line.Locator("b")).ToHaveCountAsync(0);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "search-1280.png"), FullPage = true });
        }

        var href = await line.GetAttributeAsync("href");
        Assert.Matches($"^/runs/{newer.Id}/jobs/{job.Id}#L\\d+$", href);
        await line.ClickAsync();

        await page.WaitForURLAsync($"**/runs/{newer.Id}/jobs/{job.Id}#L*");
        var selected = page.Locator("#log .log-selected");
        await Assertions.Expect(selected).ToHaveCountAsync(1);
        await Assertions.Expect(selected).ToContainTextAsync("<b>Connection refused</b> by db:5432");
    }

    [BrowserFact]
    public async Task A_search_too_short_says_the_minimum_and_a_search_without_a_match_says_so()
    {
        var page = await site.SignedInPageAsync();

        await page.GotoAsync("/search?q=ab");
        await Assertions.Expect(page.Locator("p.notice.bad")).ToContainTextAsync("at least 3 characters");

        await page.GotoAsync("/search?q=" + Uri.EscapeDataString("nothing prints this"));
        await Assertions.Expect(page.Locator("#no-results")).ToBeVisibleAsync();
    }
}
