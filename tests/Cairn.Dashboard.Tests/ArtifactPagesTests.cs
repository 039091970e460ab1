using System.Text;
using Cairn.Core.Access;
using Cairn.Core.Secrets;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A run's artifacts in a real browser: listed on the run page, browsed folder by folder, a text file shown
/// inline (and audited; the first 1 MiB of a larger one), an HTML file shown as its source, a binary file offered for download only, and nothing of them
/// for someone who may not read the run.</summary>
public sealed class ArtifactPagesTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Html = "<h1 id=\"planted\">hello</h1><script>document.title = 'planted'</script>";

    private async Task<RunView> KeptAsync()
    {
        var run = await site.Server.WaitForRunAsync((await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ run: echo built }]
            """)).Id);
        await site.Artifacts.KeepAsync(run.Id, run.Jobs![0].Id,
            ("dist/app.bin", [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
            ("dist/notes/readme.txt", Encoding.UTF8.GetBytes("first line\nsecond line: kept text\n")),
            ("report.html", Encoding.UTF8.GetBytes(Html)),
            ("coverage.xml", Encoding.UTF8.GetBytes("<coverage line-rate=\"0.9\"/>")),
            ("logs/big.log", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef\n", 96 * 1024)))));
        return run;
    }

    [BrowserFact]
    public async Task The_run_page_lists_a_job_s_artifacts_and_the_browser_shows_a_text_file_inline()
    {
        var run = await KeptAsync();
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}");
        var row = page.Locator("table.artifacts tr[data-artifacts='build']");
        await Assertions.Expect(row).ToContainTextAsync("5");
        await Assertions.Expect(row).ToContainTextAsync("in 14d");
        await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = "Download build's artifacts as a zip" }))
            .ToHaveAttributeAsync("href", $"/api/v1/runs/{run.Id}/artifacts/build.zip");
        await row.GetByRole(AriaRole.Link, new() { Name = "Browse build's artifacts" }).ClickAsync();

        // The address and then the folder's rows, each waited for on its own: waiting for the page's load event after the
        // click once missed an event that had already fired, on a loaded CI machine.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/runs/{run.Id}/artifacts/build$"));
        await Assertions.Expect(page.Locator("table.artifact-folder tbody td:first-child")).ToHaveCountAsync(4);
        var names = await page.Locator("table.artifact-folder tbody td:first-child").AllInnerTextsAsync();
        Assert.Equal(["dist/", "logs/", "coverage.xml", "report.html"], names.Select(n => n.Trim()));
        await page.GetByRole(AriaRole.Link, new() { Name = "dist/" }).ClickAsync();
        await Assertions.Expect(page.Locator("nav.crumbs")).ToContainTextAsync("dist");
        await page.GetByRole(AriaRole.Link, new() { Name = "notes/" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "readme.txt" }).ClickAsync();

        await Assertions.Expect(page.Locator("#artifact-text")).ToHaveTextAsync("first line\nsecond line: kept text\n");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download", Exact = true }))
            .ToHaveAttributeAsync("href", $"/api/v1/runs/{run.Id}/artifacts/build/files/dist/notes/readme.txt?download=1");
        var audit = await site.Server.Services.GetRequiredService<IAuditLog>().ListAuditAsync(
            new AuditQuery(Action: AuditActions.ArtifactDownload), CancellationToken.None);
        Assert.Contains(audit, e => e.RunId == run.Id && e.Target == "dist/notes/readme.txt" && e.Actor == "admin");
    }

    [BrowserFact]
    public async Task An_html_file_shows_as_its_source_and_a_binary_file_only_as_a_download()
    {
        var run = await KeptAsync();
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}/artifacts/build?path=report.html");
        await Assertions.Expect(page.Locator("#artifact-text")).ToHaveTextAsync(Html);
        Assert.Equal(0, await page.Locator("#planted").CountAsync());
        Assert.NotEqual("planted", await page.TitleAsync());

        await page.GotoAsync($"/runs/{run.Id}/artifacts/build?path=dist/app.bin");
        await Assertions.Expect(page.Locator("#artifact-binary")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#artifact-text").CountAsync());

        await page.GotoAsync($"/runs/{run.Id}/artifacts/build?path=logs/big.log");
        await Assertions.Expect(page.Locator(".artifact-file .notice.warn")).ToContainTextAsync("Showing the first 1 MiB of 1.6 MiB");
        Assert.Equal(1 << 20, (await page.Locator("#artifact-text").TextContentAsync())!.Length);

        var missing = await page.GotoAsync($"/runs/{run.Id}/artifacts/other");
        Assert.Equal(404, missing!.Status);
    }

    [BrowserFact]
    public async Task Someone_who_may_not_read_the_run_gets_none_of_its_artifacts()
    {
        var run = await KeptAsync();
        var page = await site.SignedInPageAsync(await site.UserWithTokenAsync("outsider", null));

        var runPage = await page.GotoAsync($"/runs/{run.Id}");
        var content = await page.ContentAsync();
        var browser = await page.GotoAsync($"/runs/{run.Id}/artifacts/build?path=dist/notes/readme.txt");
        var file = await page.ContentAsync();

        Assert.NotEqual(200, runPage!.Status);
        Assert.DoesNotContain("Download .zip", content, StringComparison.Ordinal);
        Assert.NotEqual(200, browser!.Status);
        Assert.DoesNotContain("kept text", file, StringComparison.Ordinal);
        Assert.DoesNotContain("readme.txt", file, StringComparison.Ordinal);
    }
}
