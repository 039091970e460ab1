using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Cairn.Bench.Dashboard;

/// <summary>What a person who opens a 100,000-line job meets: the first line, the last in view after End, the tab's memory and
/// nodes, a server search; beside the same lines as a text file in the browser and the server's raw log fetched unrendered (the
/// server sends its log.txt as a download, which a browser does not paint).</summary>
internal sealed record LongLogFigures(
    double FirstLineMs, double AllLoadedMs, double EndToLastLineMs, double HeapMb, double Nodes, int RenderedRows,
    double RareSearchMs, double CommonSearchMs, string CommonHits,
    double PlainFilePaintMs, double PlainFileHeapMb, double PlainFileNodes, double RawFetchMs, double RawFetchMb);

internal static class LongLog
{
    /// <summary>Set before the page's own scripts: notes when the first log row enters the document.</summary>
    private const string Observer = """
        (() => {
          window.__firstLine = null;
          new MutationObserver((records) => {
            const now = performance.now();
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (node.nodeType !== 1) continue;
                const rows = node.matches('[data-seq]') ? [node] : node.querySelectorAll('[data-seq]');
                for (const row of rows) {
                  if (window.__firstLine === null) window.__firstLine = now;
                }
              }
            }
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    public static async Task<LongLogFigures> MeasureAsync(IBrowser browser, Session session, Seeded seed, string outDirectory)
    {
        var url = $"/runs/{seed.LogRunId}/jobs/{seed.LogJobId}";
        var context = await session.ContextAsync(browser);
        await context.AddInitScriptAsync(Observer);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => Console.Error.WriteLine($"  [page] {message.Text}");
        page.PageError += (_, error) => Console.Error.WriteLine($"  [page error] {error}");
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");

        var clock = Stopwatch.StartNew();
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        try
        {
            await page.WaitForFunctionAsync("window.__firstLine !== null", null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 5 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(outDirectory, "long-log-failed.png") });
            throw;
        }

        var firstLine = await page.EvaluateAsync<double>("window.__firstLine");
        // Every line held by the viewer (it fetches the tail first, then the rest from the start, a chunk at a time).
        await page.WaitForFunctionAsync(
            """
            (last) => {
              const lines = document.querySelector('#log')?.logViewer?.lines;
              if (!lines || lines.length <= last) return false;
              for (let seq = 1; seq <= last; seq++) if (!lines[seq]) return false;
              return true;
            }
            """,
            seed.LogLines,
            new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 20 });
        var allLoaded = clock.Elapsed.TotalMilliseconds;
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new PageWaitForLoadStateOptions { Timeout = 120_000 });

        // End, as a person presses it in the log: the time from the key to the last line in the document.
        // A rAF loop notes the first frame in which the last line is inside both the log's scroller and the window.
        var pressed = await page.EvaluateAsync<double>(
            """
            (seq) => {
              window.__lastShownAt = null;
              const shown = () => {
                const row = document.querySelector(`#log [data-seq="${seq}"]`);
                const scroller = document.querySelector('.log-scroll');
                if (!row || !scroller) return false;
                const r = row.getBoundingClientRect(), s = scroller.getBoundingClientRect();
                return r.bottom <= Math.min(s.bottom, innerHeight) + 1 && r.top >= Math.max(s.top, 0) - 1;
              };
              const look = () => {
                if (shown()) window.__lastShownAt = performance.now();
                else requestAnimationFrame(look);
              };
              document.querySelector('.log-scroll').focus();
              requestAnimationFrame(look);
              return performance.now();
            }
            """,
            seed.LogLines.ToString(CultureInfo.InvariantCulture));
        await page.Keyboard.PressAsync("End");
        await page.WaitForFunctionAsync("window.__lastShownAt !== null", null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 5 });
        var endToLast = await page.EvaluateAsync<double>("window.__lastShownAt") - pressed;

        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var (heap, nodes) = await MetricsAsync(cdp);
        var rendered = await page.EvaluateAsync<int>("document.querySelectorAll('#log [data-seq]').length");

        var rare = await SearchAsync(page, "needle-77777");
        var common = await SearchAsync(page, "error");
        var commonHits = await page.InnerTextAsync(".log-hits");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(outDirectory, "long-log.png") });
        await page.CloseAsync();

        // Baselines: the same lines as a text file the browser opens itself, the server's raw text, and a bare fetch.
        var file = Path.Combine(outDirectory, "long-log.txt");
        await File.WriteAllLinesAsync(file, Enumerable.Range(1, seed.LogLines).Select(LogText.Line));
        var (plainPaint, plainHeap, plainNodes) = await PaintOfTextAsync(context, new Uri(file).AbsoluteUri);

        var fetchPage = await context.NewPageAsync();
        await fetchPage.GotoAsync("/login");
        var fetched = await fetchPage.EvaluateAsync<JsonElement>(
            """
            async (url) => {
              const start = performance.now();
              const text = await (await fetch(url)).text();
              return { ms: performance.now() - start, bytes: text.length };
            }
            """,
            $"/api/v1/runs/{seed.LogRunId}/jobs/{seed.LogJobId}/log.txt");
        await context.CloseAsync();

        return new LongLogFigures(
            firstLine, allLoaded, endToLast, heap, nodes, rendered, rare, common, commonHits,
            plainPaint, plainHeap, plainNodes,
            fetched.GetProperty("ms").GetDouble(), fetched.GetProperty("bytes").GetDouble() / 1_048_576);
    }

    private static async Task<double> SearchAsync(IPage page, string term)
    {
        await page.FillAsync(".log-search", term);
        var start = await page.EvaluateAsync<double>("performance.now()");
        await page.FocusAsync(".log-search");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync(
            $"(() => {{ const row = document.querySelector('.log-hit-current'); return row && row.textContent.includes({JsonSerializer.Serialize(term)}); }})()",
            null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 5 });
        return await page.EvaluateAsync<double>("performance.now()") - start;
    }

    private static async Task<(double PaintMs, double HeapMb, double Nodes)> PaintOfTextAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        var paint = await page.EvaluateAsync<double>(
            """
            () => new Promise((resolve) => {
              const done = () => {
                const entry = performance.getEntriesByName('first-contentful-paint')[0];
                resolve(entry ? entry.startTime : performance.now());
              };
              requestAnimationFrame(() => requestAnimationFrame(done));
            })
            """);
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var (heap, nodes) = await MetricsAsync(cdp);
        await page.CloseAsync();
        return (paint, heap, nodes);
    }

    public static async Task<(double HeapMb, double Nodes)> MetricsAsync(ICDPSession cdp)
    {
        var metrics = await cdp.SendAsync("Performance.getMetrics");
        double Metric(string name) => metrics!.Value.GetProperty("metrics").EnumerateArray()
            .Where(m => m.GetProperty("name").GetString() == name).Select(m => m.GetProperty("value").GetDouble()).FirstOrDefault();
        return (Metric("JSHeapUsedSize") / 1_048_576, Metric("Nodes"));
    }

    public static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
