using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Cairn.Server.Tests.LogViewer;

/// <summary>The log viewer's scripts in Chromium against a real server: colours, folding, permalinks, following a running
/// job, server search on a 100,000-line log, a cut 2 MB line and the timestamps' two clocks.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LogViewerBrowserTests(LogViewerPage viewer) : IClassFixture<LogViewerPage>
{
    private const string Esc = "\u001b";

    private JobLogs Logs => viewer.Logs;

    [BrowserFact]
    public async Task Colours_render_with_their_styles_a_split_sequence_included_and_markup_stays_text()
    {
        var (run, job, first) = await Logs.FinishedJobWithAsync(
        [
            $"{Esc}[31mred{Esc}[0m plain {Esc}[1;4mbold-under{Esc}[0m",
            $"{Esc}[38;5;208morange{Esc}[0m {Esc}[38;2;10;200;30mtruecolour{Esc}[0m {Esc}[2mdim{Esc}[22m {Esc}[3mitalic{Esc}[0m",
            $"before {Esc}[3",
            $"4msplit-blue{Esc}[0m after",
            $"<b>not bold</b> {Esc}]0;a title{Esc}\\ {Esc}[2Kcleared",
        ], failing: true);
        var page = await viewer.OpenAsync(run, job);

        await Expect(page, $"[data-seq='{first + 4}']");
        Assert.Equal("rgb(224, 96, 90)", await StyleOfAsync(page, "red", "color"));
        Assert.Equal("700", await StyleOfAsync(page, "bold-under", "font-weight"));
        Assert.Contains("underline", await StyleOfAsync(page, "bold-under", "text-decoration-line"), StringComparison.Ordinal);
        Assert.Equal("rgb(255, 135, 0)", await StyleOfAsync(page, "orange", "color"));
        Assert.Equal("rgb(10, 200, 30)", await StyleOfAsync(page, "truecolour", "color"));
        Assert.Equal("0.6", await StyleOfAsync(page, "dim", "opacity"));
        Assert.Equal("italic", await StyleOfAsync(page, "italic", "font-style"));
        Assert.Equal("rgb(92, 158, 230)", await StyleOfAsync(page, "split-blue", "color"));
        Assert.Equal("before ", await page.Locator($"[data-seq='{first + 2}'] .log-text").TextContentAsync());
        Assert.Equal("<b>not bold</b>  cleared", await page.Locator($"[data-seq='{first + 4}'] .log-text").TextContentAsync());
        Assert.Equal(0, await page.Locator(".log-text b").CountAsync());
    }

    [BrowserFact]
    public async Task A_screenshot_of_a_coloured_build_log()
    {
        var (run, job) = await Logs.StartAsync("""
                steps:
                  - name: checkout
                    run: echo 'checked out abc1234'
                  - name: build
                    run: |
                      echo '::group::Restore packages'
                      for p in Cairn.Core Cairn.Storage Cairn.Server; do printf '  \033[32mrestored\033[0m %s\n' "$p"; done
                      echo '::endgroup::'
                      printf '\033[1mBuilding\033[0m Cairn.slnx \033[2m(Release)\033[0m\n'
                      printf '  Cairn.Core -> \033[36mbin/Release/net10.0/Cairn.Core.dll\033[0m\n'
                      printf '\033[33mwarning\033[0m CS0168: the variable \033[1mex\033[0m is declared but never used\n'
                      printf '\033[38;5;208m  ⚠ 1 warning\033[0m  \033[38;2;120;180;255m0 errors\033[0m\n'
                  - name: test
                    run: |
                      printf '\033[32m  ✓\033[0m Lease_IsReclaimed_WhenHeartbeatStops \033[2m(12 ms)\033[0m\n'
                      printf '\033[32m  ✓\033[0m Search_AnswersMatchingLines \033[2m(48 ms)\033[0m\n'
                      printf '\033[31m  ✗ Range_RefusesBadBounds\033[0m\n'
                      printf '    \033[31mAssert.Equal() Failure: expected 400, actual 200\033[0m\n'
                      printf '\033[1;31mFailed!\033[0m 1 failed, \033[1;32m2 passed\033[0m\n'
                      exit 1
            """);
        await Logs.Server.WaitForRunAsync(run);
        var page = await viewer.OpenAsync(run, job);
        await Expect(page, ".log-step-failed");
        await page.Locator(".log-step", new() { HasText = "build" }).ClickAsync();
        await page.Locator(".log-group", new() { HasText = "Restore packages" }).ClickAsync();
        await Expect(page, ".log-line:has-text('Failed!')");

        // Into the test's output; into docs/dashboard as well when CAIRN_UPDATE_SCREENSHOTS=1 asks for the picture anew.
        await page.SetViewportSizeAsync(1100, 520);
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "log-viewer.png") });
        Assert.True(png.Length > 10_000, $"the screenshot is {png.Length} bytes");
        if (Environment.GetEnvironmentVariable("CAIRN_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs", "dashboard");
            Directory.CreateDirectory(docs);
            await File.WriteAllBytesAsync(Path.Combine(docs, "log-viewer.png"), png);
        }
    }

    [BrowserFact]
    public async Task A_succeeded_step_and_a_group_fold_and_unfold()
    {
        var (run, job, first) = await Logs.FinishedJobWithAsync(["before", "::group::Compile", "inside the group", "::endgroup::", "after"]);
        var page = await viewer.OpenAsync(run, job);
        var step = page.Locator(".log-step", new() { HasText = "build" });
        await Expect(page, ".log-step-succeeded");
        Assert.Equal("false", await step.GetAttributeAsync("aria-expanded"));
        Assert.Equal(0, await page.Locator($"[data-seq='{first}']").CountAsync());

        await step.ClickAsync();
        await Expect(page, $"[data-seq='{first}']");
        await Expect(page, $"[data-seq='{first + 4}']");
        Assert.Equal(0, await page.Locator($"[data-seq='{first + 2}']").CountAsync());

        await page.Locator(".log-group", new() { HasText = "Compile" }).ClickAsync();
        await Expect(page, $"[data-seq='{first + 2}']");

        await page.Locator(".log-group", new() { HasText = "Compile" }).ClickAsync();
        await Gone(page, $"[data-seq='{first + 2}']");
        await step.ClickAsync();
        await Gone(page, $"[data-seq='{first}']");
    }

    [BrowserFact]
    public async Task A_permalink_opens_the_folded_sections_holding_its_line_scrolls_to_it_and_highlights_it()
    {
        var lines = Enumerable.Range(1, 300).Select(i => $"line {i}").ToList();
        lines[100] = "::group::Deep";
        lines[250] = "::endgroup::";
        var (run, job, first) = await Logs.FinishedJobWithAsync(lines);
        var target = first + 199;

        var page = await viewer.OpenAsync(run, job, $"#L{target}");

        var row = page.Locator($"[data-seq='{target}']");
        await Expect(page, $"[data-seq='{target}'].log-selected");
        Assert.Equal("line 200", await row.Locator(".log-text").TextContentAsync());
        Assert.True(await row.IsVisibleAsync());
        var box = (await row.BoundingBoxAsync())!;
        Assert.InRange(box.Y, 0, 800);

        await page.Locator($"[data-seq='{target + 5}'] .log-ln").ClickAsync();
        await Expect(page, $"[data-seq='{target + 5}'].log-selected");
        Assert.EndsWith($"#L{target + 5}", page.Url, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_running_job_is_followed_to_its_end_with_no_gap_and_no_repeat()
    {
        var release = Logs.Combine($"release-{Guid.NewGuid():N}");
        var (run, job) = await Logs.StartAsync($$"""
                steps:
                  - name: print
                    run: |
                      for i in $(seq 1 1500); do echo "line $i"; done
                      while [ ! -f '{{release}}' ]; do sleep 0.05; done
                      for i in $(seq 1501 1800); do echo "line $i"; sleep 0.005; done
            """);
        await Eventually.TrueAsync(
            async () => (await Logs.Server.Client.GetStringAsync($"/api/v1/runs/{run}/jobs/{job}/log")).Contains("line 1500\n", StringComparison.Ordinal),
            "the first lines to be printed", TimeSpan.FromSeconds(30));

        var page = await viewer.OpenAsync(run, job);
        await Expect(page, ".log-line:has-text('line 1500')");
        Assert.True(await page.Locator(".log-follow").IsCheckedAsync());
        Assert.Null(await page.Locator("#log").GetAttributeAsync("data-ended"));
        await File.WriteAllTextAsync(release, "");

        await Expect(page, "#log[data-ended='succeeded']");
        try
        {
            await Expect(page, ".log-line:has-text('line 1800')");
        }
        catch (TimeoutException)
        {
            Assert.Fail(await page.EvaluateAsync<string>("() => JSON.stringify({ follow: viewer.follow, top: viewer.scroller.scrollTop, height: viewer.scroller.scrollHeight, client: viewer.scroller.clientHeight, rows: viewer.rows.length, last: viewer.last, loaded: viewer.lines.filter(Boolean).length, painted: viewer.painted, texts: [...document.querySelectorAll('.log-row')].slice(-3).map(r => r.textContent) })"));
        }
        var printed = await page.EvaluateAsync<string[]>(
            "() => viewer.lines.filter(Boolean).map((l) => l.text).filter((t) => t.startsWith('line '))");
        Assert.Equal(Enumerable.Range(1, 1800).Select(i => $"line {i}"), printed);
        var sequences = await page.EvaluateAsync<long[]>("() => viewer.lines.filter(Boolean).map((l) => l.seq)");
        Assert.Equal(Enumerable.Range(1, sequences.Length).Select(i => (long)i), sequences);
        Assert.True(await page.Locator(".log-line:has-text('line 1800')").IsVisibleAsync(), "followed to the last line");
    }

    [BrowserFact]
    public async Task A_server_search_on_a_100000_line_log_jumps_to_a_line_not_rendered_yet()
    {
        var (run, job, first) = await Logs.FinishedJobWithAsync(
            Enumerable.Range(1, 100_000).Select(i => i is 4_321 or 87_654 ? $"{Esc}[31mfatal{Esc}[0m: disk {i} is full" : $"build output line {i}"),
            failing: true);

        var clock = Stopwatch.StartNew();
        var page = await viewer.OpenAsync(run, job);
        await Expect(page, ".log-line");
        var firstLine = clock.Elapsed;
        Assert.Equal(0, await page.Locator($"[data-seq='{first + 87_653}']").CountAsync());

        var search = page.Locator(".log-search");
        await search.FillAsync("fatal: disk \\d+");
        clock.Restart();
        await search.PressAsync("Enter");
        await Expect(page, $"[data-seq='{first + 4_320}'].log-hit-current");
        var firstHit = clock.Elapsed;
        await search.PressAsync("Enter");
        await Expect(page, $"[data-seq='{first + 87_653}'].log-hit-current");
        Assert.Equal("2 of 2", await page.Locator(".log-hits").TextContentAsync());
        await search.PressAsync("Shift+Enter");
        await Expect(page, $"[data-seq='{first + 4_320}'].log-hit-current");
        Assert.True(await page.Locator(".log-row").CountAsync() < 1_000, "only the rows near the viewport are in the page");

        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"100,000-line job: first line shown {firstLine.TotalMilliseconds:F0} ms after navigation; search and jump to the first hit {firstHit.TotalMilliseconds:F0} ms"));
    }

    [BrowserFact]
    public async Task A_2_MB_line_is_cut_for_display_with_a_link_to_the_raw_text()
    {
        var (run, job, first) = await Logs.FinishedJobWithAsync(["short", new string('x', 2_000_000) + "END", "after"], failing: true);
        var page = await viewer.OpenAsync(run, job);

        await Expect(page, $"[data-seq='{first + 2}']");
        var shown = await page.Locator($"[data-seq='{first + 1}'] .log-text").TextContentAsync();
        Assert.Equal(10_000, shown!.Length);
        var link = page.Locator($"[data-seq='{first + 1}'] .log-cut");
        Assert.Contains("1990003 more characters", await link.TextContentAsync(), StringComparison.Ordinal);
        var href = await link.GetAttributeAsync("href");
        Assert.Matches($@"/api/v1/runs/{run}/jobs/{job}/log\.txt\?step=\d+$", href);
        var raw = await Logs.Server.Client.GetStringAsync(href);
        Assert.Contains(new string('x', 2_000_000) + "END\n", raw, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Timestamps_toggle_between_wall_clock_and_time_since_the_step_began()
    {
        var (run, job, first) = await Logs.FinishedJobWithAsync(["one", "two", "three"], failing: true);
        var page = await viewer.OpenAsync(run, job);
        var time = page.Locator($"[data-seq='{first + 2}'] .log-time");
        await Expect(page, $"[data-seq='{first + 2}']");
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d$", await time.TextContentAsync());

        await page.Locator(".log-clock").ClickAsync();
        Assert.Matches(@"^\+\d+\.\d\d\ds$", await time.TextContentAsync());
        Assert.Equal("Time: since step began", await page.Locator(".log-clock").TextContentAsync());

        await page.Locator(".log-clock").ClickAsync();
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d$", await time.TextContentAsync());
    }

    private static Task Expect(IPage page, string selector) =>
        page.Locator(selector).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 45_000 });

    private static Task Gone(IPage page, string selector) =>
        page.Locator(selector).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 10_000 });

    private static Task<string> StyleOfAsync(IPage page, string text, string property) =>
        page.EvaluateAsync<string>(
            "([text, property]) => { const span = [...document.querySelectorAll('.log-text span')].find((s) => s.textContent === text); return span ? getComputedStyle(span).getPropertyValue(property) : 'no span ' + text; }",
            new[] { text, property });

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cairn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cairn.slnx is in no folder above the tests");
    }
}
