using System.Net;
using Cairn.Server.Tests;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The run page's Rerun button starts the whole run again on the same commit, and none of the page's buttons
/// acts on a POST that does not carry the page's anti-forgery token.</summary>
public sealed class RunButtonsTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Failing = """
        name: ci
        on: { manual: {} }
        jobs:
          lint:
            steps: [{ name: lint, run: echo linted }]
          flaky:
            steps: [{ name: check, run: exit 3 }]
        """;

    [BrowserFact]
    public async Task Rerun_starts_a_new_run_of_the_same_commit_with_every_job()
    {
        var run = await site.StartRunAsync(Failing);
        var ended = await site.Server.WaitForRunAsync(run.Id);
        Assert.Equal("failed", ended.Status);
        // main moves on: the rerun must still be of the run's own commit and pipeline.
        site.Repository.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              other:
                steps: [{ run: echo other }]
            """);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run.Id}");

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rerun", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => !url.EndsWith($"/runs/{run.Id}", StringComparison.Ordinal) && url.Contains("/runs/", StringComparison.Ordinal));

        var rerunId = long.Parse(new Uri(page.Url).AbsolutePath["/runs/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(run.Id, rerunId);
        var rerun = await site.Server.WaitForRunAsync(rerunId);
        Assert.Equal(run.Id, rerun.RerunOf);
        Assert.Equal(ended.Sha, rerun.Sha);
        Assert.Equal(["flaky", "lint"], rerun.Jobs!.Select(j => j.Name).Order());
        // Every job ran again, the one that had passed as well: its log is of this run.
        foreach (var job in rerun.Jobs!)
        {
            Assert.DoesNotContain(job.Id, ended.Jobs!.Select(j => j.Id));
            Assert.NotNull(job.StartedAt);
            Assert.True(job.StartedAt >= rerun.CreatedAt, $"{job.Name} started {job.StartedAt}, before the rerun was made {rerun.CreatedAt}");
        }

        var lint = rerun.Jobs!.Single(j => j.Name == "lint");
        Assert.Equal("succeeded", lint.Status);
        Assert.Contains("linted", await site.Server.Client.GetStringAsync($"/api/v1/runs/{rerunId}/jobs/{lint.Id}/log.txt", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal("failed", rerun.Jobs!.Single(j => j.Name == "flaky").Status);
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync($"run {run.Id}");
    }

    [BrowserFact]
    public async Task Cancel_rerun_and_rerun_failed_refuse_a_post_without_the_pages_token_and_change_nothing()
    {
        using var gate = new TempDirectory();
        var failed = await site.Server.WaitForRunAsync((await site.StartRunAsync(Failing)).Id);
        var running = await site.StartRunAsync($$"""
            name: ci
            on: { manual: {} }
            jobs:
              wait:
                steps: [{ run: "while [ ! -f '{{gate.Combine("open")}}' ]; do sleep 0.1; done" }]
            """);
        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{failed.Id}");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rerun failed", Exact = true })).ToBeVisibleAsync();
        var before = (await site.Server.ListRunsAsync()).Count;

        // The signed-in browser's own cookies go with each POST; only the form's token is missing or made up.
        foreach (var (run, action) in new[] { (running.Id, "cancel"), (failed.Id, "rerun"), (failed.Id, "rerun-failed") })
        {
            var bare = await page.APIRequest.PostAsync($"/runs/{run}/{action}", new APIRequestContextOptions { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            var made = page.APIRequest.CreateFormData();
            made.Set("__RequestVerificationToken", "CfDJ8made-up-token");
            var madeUp = await page.APIRequest.PostAsync($"/runs/{run}/{action}", new APIRequestContextOptions { Form = made, MaxRedirects = 0 });

            Assert.Equal((int)HttpStatusCode.BadRequest, bare.Status);
            Assert.Equal((int)HttpStatusCode.BadRequest, madeUp.Status);
            Assert.DoesNotContain("   at ", await madeUp.TextAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, (await site.Server.ListRunsAsync()).Count);
        Assert.Equal("running", (await site.Server.GetRunAsync(running.Id)).Status);
        Assert.Equal("failed", (await site.Server.GetRunAsync(failed.Id)).Status);

        // The same buttons, clicked on the page, do act: the refusals above were the token's doing.
        await page.GotoAsync($"/runs/{running.Id}");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel", Exact = true }).ClickAsync();
        Assert.Equal("cancelled", (await site.Server.WaitForRunAsync(running.Id)).Status);
    }
}
