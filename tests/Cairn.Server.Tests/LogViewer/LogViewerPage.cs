using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace Cairn.Server.Tests.LogViewer;

/// <summary>A server with a test-only page that mounts the log viewer for <c>?run=&amp;job=</c> (the way the job page
/// will), its scripts served from the source tree, and a Chromium whose requests carry the admin token.</summary>
public sealed class LogViewerPage : IAsyncLifetime
{
    private IPlaywright? playwright;

    public JobLogs Logs { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Logs = await JobLogs.StartAsync(Map);
        if (!File.Exists(Engines.Chromium))
        {
            return;
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Engines.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (playwright is not null)
        {
            await Browser.DisposeAsync();
            playwright.Dispose();
        }

        await Logs.DisposeAsync();
    }

    /// <summary>A new tab, 1280 by 800, on the viewer of the job (with <paramref name="hash"/>, e.g. <c>#L120</c>).</summary>
    public async Task<IPage> OpenAsync(long run, long job, string hash = "")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Logs.Server.Url,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {Logs.Server.Token}" },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/test/log-viewer?run={run}&job={job}{hash}");
        return page;
    }

    private static void Map(WebApplication app)
    {
        var assets = Path.Combine(RepositoryRoot(), "src", "Cairn.Server", "Dashboard", "Assets");
        app.MapGet("/test/log-viewer", () => Results.Content(Html, "text/html; charset=utf-8"));
        app.MapGet("/test/assets/{**path}", (string path) =>
        {
            var file = Path.GetFullPath(Path.Combine(assets, path));
            if (!file.StartsWith(assets + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
            {
                return Results.NotFound();
            }

            var type = Path.GetExtension(file) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            return Results.File(file, type);
        });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cairn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the tests run outside the repository: Cairn.slnx is in no folder above them");
    }

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Log</title>
          <link rel="stylesheet" href="/test/assets/log.css">
          <style>html, body { margin: 0; height: 100%; background: #0d1117; } #log { height: 100vh; box-sizing: border-box; }</style>
        </head>
        <body>
          <div id="log"></div>
          <script type="module">
            import { mountLogViewer } from '/test/assets/log-viewer.js';
            const query = new URLSearchParams(location.search);
            const run = query.get('run');
            const jobId = query.get('job');
            window.openedAt = performance.now();
            const view = await (await fetch(`/api/v1/runs/${run}`)).json();
            const job = view.jobs.find((j) => String(j.id) === jobId);
            const steps = job.steps.map((s) => ({
              index: s.index, name: s.name, status: s.status, startedAt: s.startedAt,
              duration: s.startedAt && s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : undefined,
            }));
            const running = !['succeeded', 'failed', 'cancelled', 'skipped'].includes(job.status);
            window.viewer = mountLogViewer(document.getElementById('log'), { runId: run, jobId, steps, running });
          </script>
        </body>
        </html>
        """;
}
