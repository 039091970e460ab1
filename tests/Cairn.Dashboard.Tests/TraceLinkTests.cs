using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A site whose server links runs' traces to a tracing backend (<c>--trace-url-template</c>).</summary>
public sealed class TracedSite() : DashboardSite(
    given => given["Telemetry:TraceUrlTemplate"] = "https://tempo.example.com/explore?traceId={trace_id}",
    adjust: null);

/// <summary>The run page shows the run's trace id, as a link to the tracing backend when a template is set.</summary>
public sealed class TraceLinkTests(TracedSite traced) : IClassFixture<TracedSite>
{
    private const string Pipeline = """
        name: ci
        on: { manual: {} }
        jobs:
          build:
            steps: [{ name: build, run: echo built }]
        """;

    [BrowserFact]
    public async Task The_run_page_links_the_trace_with_the_template()
    {
        var run = await traced.StartRunAsync(Pipeline);
        var page = await traced.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}");

        Assert.NotNull(run.TraceId);
        await Assertions.Expect(page.Locator("#trace-link")).ToHaveAttributeAsync("href", $"https://tempo.example.com/explore?traceId={run.TraceId}");
        await Assertions.Expect(page.Locator("#trace-link")).ToHaveTextAsync(run.TraceId!);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "runs-id-trace-link-1280.png") });
        }
    }
}

/// <summary>Without a template the id is shown and nothing links it.</summary>
public sealed class TraceIdTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task The_run_page_shows_the_trace_id_without_a_link_when_no_template_is_set()
    {
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ name: build, run: echo built }]
            """);
        var page = await site.SignedInPageAsync();

        await page.GotoAsync($"/runs/{run.Id}");

        Assert.NotNull(run.TraceId);
        await Assertions.Expect(page.Locator("#trace")).ToHaveTextAsync(run.TraceId!);
        await Assertions.Expect(page.Locator("#trace-link")).ToHaveCountAsync(0);
    }
}
