using System.Text.RegularExpressions;
using Cairn.Server.Tests;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The pages that change while a person looks at them: a pushed commit's run appears on the run list and the
/// repositories page, a run's page and a job's page follow the run to its end — all without a reload.</summary>
public sealed partial class LiveTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Quick = """
        name: ci
        on: { push: {}, manual: {} }
        jobs:
          build:
            steps: [{ run: echo built }]
        """;

    [BrowserFact]
    public async Task A_pushed_commits_run_appears_on_the_run_list_and_ends_there_without_a_reload()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/runs");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.notReloaded = true");

        var sha = site.Repository.Commit(Quick);
        var delivery = Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), "s");
        var response = await site.Server.Anonymous.SendAsync(delivery, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var row = page.Locator("#runs tr[data-run]", new PageLocatorOptions { HasText = sha[..8] });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("push");
        await Assertions.Expect(row).ToHaveClassAsync(new Regex("changed"));
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "runs-live-1280.png") });
        }
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(Succeeded());
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [BrowserFact]
    public async Task A_run_made_between_the_pages_read_and_its_streams_start_is_not_missed()
    {
        var page = await site.SignedInPageAsync();
        var connect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/api/v1/runs/events**", async route =>
        {
            await connect.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync("/runs");

        var run = await site.StartRunAsync(Quick);
        await site.Server.WaitForRunAsync(run.Id);
        await Assertions.Expect(page.Locator($"tr[data-run='{run.Id}']")).ToHaveCountAsync(0);
        connect.SetResult();

        await Assertions.Expect(page.Locator($"tr[data-run='{run.Id}'] .status")).ToHaveTextAsync(Succeeded());
    }

    [BrowserFact]
    public async Task A_tab_in_the_background_fetches_nothing_and_catches_up_when_shown()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/runs");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);
        var fetched = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/runs", StringComparison.Ordinal) && !request.Url.Contains("/api/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref fetched);
            }
        };
        await page.EvaluateAsync("() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })");

        var run = await site.StartRunAsync(Quick);
        await site.Server.WaitForRunAsync(run.Id);

        Assert.Equal(0, Volatile.Read(ref fetched));
        await page.EvaluateAsync("() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }); document.dispatchEvent(new Event('visibilitychange')); }");
        await Assertions.Expect(page.Locator($"tr[data-run='{run.Id}'] .status")).ToHaveTextAsync(Succeeded());
    }

    [BrowserFact]
    public async Task A_new_run_appears_on_the_repositories_page_without_a_reload()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/repos");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.notReloaded = true");

        var run = await site.StartRunAsync(Quick);

        var row = page.Locator("section.repo tr", new PageLocatorOptions { Has = page.Locator($"a[href='/runs/{run.Id}']") });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(Succeeded());
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [BrowserFact]
    public async Task A_runs_page_counts_and_follows_it_to_its_end_in_place_and_keeps_the_job_the_reader_opened()
    {
        using var gate = new TempDirectory();
        var run = await site.StartRunAsync(Gated(gate));
        var jobs = (await site.Server.GetRunAsync(run.Id)).Jobs!;
        var first = jobs.Single(j => j.Name == "first").Id;
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.notReloaded = true");

        // A succeeded job is folded; the reader opens it, and it must stay open as the page changes around it.
        var opened = page.Locator($"details[data-job='{first}']");
        await Assertions.Expect(opened.Locator("summary .status")).ToHaveTextAsync(Succeeded());
        await Assertions.Expect(opened).Not.ToHaveAttributeAsync("open", "");
        await opened.Locator("summary").ClickAsync(new LocatorClickOptions { Position = new Position { X = 6, Y = 8 } });
        await Assertions.Expect(opened).ToHaveAttributeAsync("open", "");
        // The running job's duration counts on between changes.
        var elapsed = page.Locator("details[data-job]", new PageLocatorOptions { HasText = "gated" }).Locator("summary .elapsed");
        var shown = await elapsed.TextContentAsync();
        await Assertions.Expect(elapsed).Not.ToHaveTextAsync(shown!);
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "runs-id-live-1280.png"), FullPage = true });
        }

        File.WriteAllText(gate.Combine("open"), "");

        await Assertions.Expect(page.Locator(".run-head .status")).ToHaveTextAsync(Succeeded());
        await Assertions.Expect(page.Locator("details[data-job]", new PageLocatorOptions { HasText = "gated" }).Locator("summary .status"))
            .ToHaveTextAsync(Succeeded());
        await Assertions.Expect(page.Locator("button", new PageLocatorOptions { HasText = "Cancel" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("button", new PageLocatorOptions { HasText = "Rerun failed" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("button", new PageLocatorOptions { HasTextRegex = new Regex("^Rerun$") })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#live")).ToHaveCountAsync(0);
        await Assertions.Expect(opened).ToHaveAttributeAsync("open", "");
        await Assertions.Expect(opened.Locator("summary")).ToBeFocusedAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [BrowserFact]
    public async Task A_runs_page_shows_the_next_step_start_though_its_job_did_not_change()
    {
        using var gate = new TempDirectory();
        var run = await site.StartRunAsync($$"""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - { name: one, run: "while [ ! -f '{{gate.Combine("one")}}' ]; do sleep 0.1; done" }
                  - { name: two, run: "while [ ! -f '{{gate.Combine("two")}}' ]; do sleep 0.1; done" }
            """);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}");
        var steps = page.Locator("details[data-job] .steps li");
        await Assertions.Expect(steps.Nth(0).Locator(".status")).ToHaveTextAsync(new Regex("running"));
        await Assertions.Expect(steps).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => window.notReloaded = true");

        File.WriteAllText(gate.Combine("one"), "");

        // Steps are not in the change feed: the page looks again every 5 s while something runs.
        await Assertions.Expect(steps.Nth(1).Locator(".status")).ToHaveTextAsync(
            new Regex("running"), new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(steps.Nth(0).Locator(".status")).ToHaveTextAsync(Succeeded());
        Assert.Equal("running", (await site.Server.GetRunAsync(run.Id)).Jobs!.Single().Status);
        File.WriteAllText(gate.Combine("two"), "");
        await Assertions.Expect(page.Locator(".run-head .status")).ToHaveTextAsync(Succeeded());
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [BrowserFact]
    public async Task A_waiting_jobs_page_says_why_then_follows_the_job_through_its_run_to_its_end_in_place()
    {
        using var gate = new TempDirectory();
        var run = await site.StartRunAsync(Gated(gate));
        var then = (await site.Server.GetRunAsync(run.Id)).Jobs!.Single(j => j.Name == "then");
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}/jobs/{then.Id}");
        await Assertions.Expect(page.Locator(".pending")).ToContainTextAsync("gated");
        await page.EvaluateAsync("() => { window.notReloaded = true; window.viewer = document.getElementById('log'); }");

        File.WriteAllText(gate.Combine("open"), "");

        await Assertions.Expect(page.Locator(".run-head .status")).ToHaveTextAsync(Succeeded());
        await Assertions.Expect(page.Locator(".pending")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("Exit code");
        await Assertions.Expect(page.Locator("#log", new PageLocatorOptions { HasText = "then ran" })).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true && window.viewer === document.getElementById('log')"));
    }

    /// <summary>A run whose job <c>gated</c> waits until a file named <c>open</c> appears in <paramref name="gate"/>;
    /// <c>first</c> ends at once, <c>then</c> needs <c>gated</c>.</summary>
    private static string Gated(TempDirectory gate) => $$"""
        name: ci
        on: { manual: {} }
        jobs:
          first:
            steps: [{ run: echo first }]
          gated:
            steps: [{ run: "while [ ! -f '{{gate.Combine("open")}}' ]; do sleep 0.1; done" }]
          then:
            needs: [gated]
            steps: [{ run: echo then ran }]
        """;

    [GeneratedRegex("succeeded")]
    private static partial Regex Succeeded();
}
