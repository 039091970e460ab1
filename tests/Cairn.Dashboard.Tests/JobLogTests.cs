using System.Text.RegularExpressions;
using Cairn.Server.Tests;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The log viewer on the real job page: following a running job's log to its end, folding steps and groups
/// by mouse and keyboard, a permalink into a folded group, and a server search on a 100,000-line log.</summary>
public sealed class JobLogTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Viewer = "document.getElementById('log').logViewer";

    [BrowserFact]
    public async Task A_running_log_is_followed_to_its_end_and_holds_the_raw_log_line_for_line()
    {
        using var gate = new TempDirectory();
        var run = await site.StartRunAsync($$"""
            name: ci
            on: { manual: {} }
            jobs:
              count:
                steps:
                  - name: count
                    run: |
                      while [ ! -f '{{gate.Combine("start")}}' ]; do sleep 0.05; done
                      for i in $(seq 1 120); do echo "count $i"; sleep 0.01; done
                      while [ ! -f '{{gate.Combine("more")}}' ]; do sleep 0.05; done
                      for i in $(seq 121 160); do echo "count $i"; sleep 0.01; done
                      while [ ! -f '{{gate.Combine("release")}}' ]; do sleep 0.05; done
                      echo released
            """);
        var job = (await site.Server.GetRunAsync(run.Id)).Jobs!.Single();
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");
        await Assertions.Expect(page.Locator("#log .log-follow")).ToBeCheckedAsync();
        await page.EvaluateAsync("() => window.notReloaded = true");

        // Every line is printed after the page was read: they can only come through the stream.
        File.WriteAllText(gate.Combine("start"), "");
        var line120 = Line(page, "count 120");
        await InViewAsync(line120);
        await OutOfViewAsync(Line(page, "count 1"));
        await Assertions.Expect(page.Locator("#log .log-follow")).ToBeCheckedAsync();

        // Scrolling up stops following: the lines printed next arrive, and the view stays where the reader put it.
        await page.Locator("#log .log-scroll").HoverAsync();
        await page.Mouse.WheelAsync(0, -400);
        await Assertions.Expect(page.Locator("#log .log-follow")).Not.ToBeCheckedAsync();
        // The reader settles on a place of their own (this also ends any smooth scrolling the wheel began).
        await page.Locator("#log .log-scroll").EvaluateAsync("e => { e.scrollTop = 600; }");
        await page.EvaluateAsync("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
        var top = await page.Locator("#log .log-scroll").EvaluateAsync<double>("e => e.scrollTop");
        Assert.Equal(600, top);
        await Assertions.Expect(page.Locator("#log .log-follow")).Not.ToBeCheckedAsync();
        File.WriteAllText(gate.Combine("more"), "");
        await Eventually.TrueAsync(
            async () => await page.EvaluateAsync<bool>($"() => {Viewer}.lines.some((l) => l && l.text === 'count 160')"),
            "the viewer to receive the lines printed after the reader scrolled up", TimeSpan.FromSeconds(30));
        await page.EvaluateAsync("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
        Assert.Equal(top, await page.Locator("#log .log-scroll").EvaluateAsync<double>("e => e.scrollTop"));
        await OutOfViewAsync(Line(page, "count 160"));

        File.WriteAllText(gate.Combine("release"), "");

        await Assertions.Expect(page.Locator("#log")).ToHaveAttributeAsync("data-ended", "succeeded");
        await Assertions.Expect(page.Locator("#log .log-status")).ToContainTextAsync("Job succeeded");
        await Assertions.Expect(page.Locator(".run-head .status")).ToHaveTextAsync(new Regex("succeeded"));
        await Assertions.Expect(page.Locator("#log .log-follow")).ToBeDisabledAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // What the viewer holds, and what it draws once every row fits, is the raw log: no gap, no repeat.
        var raw = (await site.Server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/jobs/{job.Id}/log.txt", TestContext.Current.CancellationToken))
            .Split('\n')[..^1];
        Assert.Contains("released", raw);
        Assert.Equal(Enumerable.Range(1, 160).Select(i => $"count {i}"), raw.Where(l => l.StartsWith("count ", StringComparison.Ordinal)));
        var held = await page.EvaluateAsync<string?[]>(
            $"() => {{ const v = {Viewer}; const out = []; for (let s = 1; s <= v.last; s++) out.push(v.lines[s]?.text ?? null); return out; }}");
        Assert.Equal(raw, held);
        await page.SetViewportSizeAsync(1280, 6000);
        await page.Locator("#log .log-scroll").EvaluateAsync("e => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); }");
        await Assertions.Expect(page.Locator("#log .log-line")).ToHaveCountAsync(raw.Length);
        Assert.Equal(raw, await page.Locator("#log .log-line .log-text").AllTextContentsAsync());
    }

    [BrowserFact]
    public async Task A_log_followed_from_before_its_job_had_a_step_keeps_its_lines_when_the_job_ends()
    {
        // The page is read while the job still waits for another: it knows none of its steps. The lines arrive through
        // the stream under a step it learns of then; when the job ends that step has succeeded, and a succeeded step
        // the reader did not watch is shown folded. This one the reader watched: its lines stay in view.
        using var gate = new TempDirectory();
        var run = await site.StartRunAsync($$"""
            name: ci
            on: { manual: {} }
            jobs:
              hold:
                steps:
                  - run: while [ ! -f '{{gate.Combine("go")}}' ]; do sleep 0.05; done
              count:
                needs: [hold]
                steps:
                  - name: count
                    run: for i in 1 2 3; do echo "line $i"; done
            """);
        var job = (await site.Server.GetRunAsync(run.Id)).Jobs!.Single(j => j.Name == "count");
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");
        await Assertions.Expect(page.Locator("#log .log-follow")).ToBeCheckedAsync();

        File.WriteAllText(gate.Combine("go"), "");

        await Assertions.Expect(page.Locator("#log")).ToHaveAttributeAsync("data-ended", "succeeded");
        await Assertions.Expect(page.Locator("#log .log-line .log-text")).ToHaveTextAsync(["line 1", "line 2", "line 3"]);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } shots)
        {
            await Assertions.Expect(page.Locator(".run-head .status")).ToHaveTextAsync(new Regex("succeeded"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "job-followed-from-before-its-step-1280.png") });
        }
    }

    [BrowserFact]
    public async Task Steps_and_groups_fold_by_click_and_keyboard_and_a_permalink_opens_what_holds_its_line()
    {
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              fold:
                steps:
                  - name: prepare
                    run: |
                      echo '::group::setup'
                      for i in $(seq 1 300); do echo "setup $i"; done
                      echo '::endgroup::'
                      echo prepared
                  - name: break
                    run: |
                      echo '::group::details'
                      echo inner detail
                      echo '::endgroup::'
                      echo broke
                      exit 1
            """);
        var job = (await site.Server.WaitForRunAsync(run.Id)).Jobs!.Single();
        Assert.Equal("failed", job.Status);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");

        var prepare = page.Locator("#log .log-step", new PageLocatorOptions { HasText = "prepare" });
        var broken = page.Locator("#log .log-step", new PageLocatorOptions { HasText = "break" });
        await Assertions.Expect(prepare).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(prepare).ToContainTextAsync("passed");
        await Assertions.Expect(broken).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(Line(page, "broke")).ToBeVisibleAsync();
        await Assertions.Expect(Line(page, "setup 1")).ToHaveCountAsync(0);

        var details = page.Locator("#log .log-group", new PageLocatorOptions { HasText = "details" });
        var inner = Line(page, "inner detail");
        await Assertions.Expect(details).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(inner).ToHaveCountAsync(0);
        await details.Locator(".log-group-title").ClickAsync();
        await Assertions.Expect(inner).ToBeVisibleAsync();
        await Assertions.Expect(details).ToHaveAttributeAsync("aria-expanded", "true");
        await details.Locator(".log-group-title").ClickAsync();
        await Assertions.Expect(inner).ToHaveCountAsync(0);
        await details.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(inner).ToBeVisibleAsync();
        await Assertions.Expect(details).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(inner).ToHaveCountAsync(0);

        // Line 120 is inside the folded group of the folded, succeeded step.
        var lines = await site.Server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/jobs/{job.Id}/log.txt", TestContext.Current.CancellationToken);
        Assert.StartsWith("setup ", lines.Split('\n')[119], StringComparison.Ordinal);
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}#L120");

        var selected = page.Locator("#log [data-seq='120'].log-selected");
        await InViewAsync(selected);
        await Assertions.Expect(selected.Locator(".log-text")).ToHaveTextAsync(lines.Split('\n')[119]);
        await Assertions.Expect(page.Locator("#log .log-selected")).ToHaveCountAsync(1);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } shots)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "job-permalink-1280.png") });
        }

        // Far above the line, the step and the group that hold it are open.
        await page.Locator("#log .log-scroll").EvaluateAsync("e => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); }");
        await Assertions.Expect(prepare).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(page.Locator("#log .log-group", new PageLocatorOptions { HasText = "setup" })).ToHaveAttributeAsync("aria-expanded", "true");
    }

    [BrowserFact]
    public async Task A_search_on_a_100000_line_log_jumps_to_lines_not_rendered_yet()
    {
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              long:
                steps:
                  - name: print
                    run: |
                      awk 'BEGIN { for (i = 1; i <= 100000; i++) print ((i == 90000 || i == 90600) ? "needle at " i : "row " i) }'
            """);
        var ended = await site.Server.WaitForRunAsync(run.Id);
        Assert.True(ended.Jobs is [_], string.Join("; ", ended.Errors));
        var job = ended.Jobs![0];
        Assert.Equal("succeeded", job.Status);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{job.Id}");
        await Assertions.Expect(page.Locator("#log .log-step")).ToHaveAttributeAsync("aria-expanded", "false");
        Assert.Equal(0, await Line(page, "needle at 90000").CountAsync());

        var search = page.Locator("#log input.log-search");
        await search.FillAsync("needle");
        await search.PressAsync("Enter");

        var first = page.Locator("#log .log-hit-current", new PageLocatorOptions { HasText = "needle at 90000" });
        await InViewAsync(first);
        await Assertions.Expect(page.Locator("#log .log-hits")).ToHaveTextAsync("1 of 2");
        await search.PressAsync("Enter");
        var second = page.Locator("#log .log-hit-current", new PageLocatorOptions { HasText = "needle at 90600" });
        await InViewAsync(second);
        await Assertions.Expect(page.Locator("#log .log-hits")).ToHaveTextAsync("2 of 2");
        await Assertions.Expect(page.Locator("#log .log-hit")).ToHaveCountAsync(0);
        // The rest of the log loads behind the reader's back; the hit stays where they are looking.
        await Eventually.TrueAsync(
            async () => await page.EvaluateAsync<bool>($"() => {{ const v = {Viewer}; return v.last === 100000 && v.lines.filter(Boolean).length === 100000; }}"),
            "the whole log to be loaded", TimeSpan.FromSeconds(60));
        await InViewAsync(second);
        Assert.True(await page.Locator("#log .log-row").CountAsync() < 500, "only the rows near the viewport are in the page");
    }

    /// <summary>Waits until the row is drawn and wholly inside the log's scrolled area.</summary>
    private static Task InViewAsync(ILocator row) => Eventually.TrueAsync(
        async () => await row.CountAsync() == 1 && await row.EvaluateAsync<bool>(InScroller), "the row to be in view", TimeSpan.FromSeconds(20));

    /// <summary>Waits until the row is not drawn or lies outside the log's scrolled area.</summary>
    private static Task OutOfViewAsync(ILocator row) => Eventually.TrueAsync(
        async () => await row.CountAsync() == 0 || !await row.EvaluateAsync<bool>(InScroller), "the row to be out of view", TimeSpan.FromSeconds(20));

    private const string InScroller = """
        e => {
          const scroller = e.closest('.log-scroll');
          if (!scroller) return false;
          const box = scroller.getBoundingClientRect();
          const row = e.getBoundingClientRect();
          return row.top >= box.top - 1 && row.bottom <= box.bottom + 1;
        }
        """;

    private static ILocator Line(IPage page, string text) =>
        page.Locator("#log .log-line", new PageLocatorOptions { Has = page.Locator(".log-text", new PageLocatorOptions { HasTextRegex = new Regex($"^{Regex.Escape(text)}$") }) });
}
