using System.Net.Http.Json;
using Cairn.Core.Workers;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The workers page: an admin adds a worker and sees its token once with the line that starts it, pauses,
/// resumes and removes it (after confirming), each through the workers API's own rules; no one else sees the page.</summary>
public sealed class WorkersPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task An_admin_adds_a_worker_sees_its_token_once_and_pauses_resumes_and_removes_it()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/workers");
        await Assertions.Expect(page.Locator("nav a[href='/workers']")).ToHaveCountAsync(1);

        await page.FillAsync("#worker-name", "build-1");
        await page.FillAsync("#worker-labels", "linux, big");
        await page.ClickAsync("form[aria-label='Add a worker'] button[type=submit]");
        var field = page.Locator("#new-worker-token");
        await Assertions.Expect(field).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^" + WorkerTokens.Prefix));
        var token = await field.InputValueAsync();
        var publicUrl = site.Server.Services.GetRequiredService<Cairn.Server.Hosting.ServerSettings>().PublicUrl.AbsoluteUri.TrimEnd('/');
        await Assertions.Expect(page.Locator("pre.worker-command")).ToContainTextAsync($"cairn worker --server {publicUrl} --token-file FILE");
        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
        var store = site.Server.Services.GetRequiredService<IWorkerStore>();
        Assert.True(WorkerTokens.TryParse(token, out var tokenId, out _));
        Assert.Equal("build-1", (await store.GetWorkerByTokenIdAsync(tokenId, TestContext.Current.CancellationToken))!.Name);
        await ShootAsync(page, "workers-added-1280.png");

        await page.GotoAsync("/workers");
        await Assertions.Expect(page.Locator("#new-worker-token")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.Locator("table.workers tbody tr[data-worker=build-1]");
        await Assertions.Expect(row).ToContainTextAsync("linux, big");
        await Assertions.Expect(row).ToContainTextAsync("never");

        await row.Locator("button", new LocatorLocatorOptions { HasText = "Pause" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("paused="), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("build-1 paused");
        await Assertions.Expect(row).ToContainTextAsync("never; paused");
        Assert.True((await store.GetWorkerAsync("build-1", TestContext.Current.CancellationToken))!.Paused);

        await row.Locator("button", new LocatorLocatorOptions { HasText = "Resume" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("resumed="), new() { Timeout = 30_000 });
        Assert.False((await store.GetWorkerAsync("build-1", TestContext.Current.CancellationToken))!.Paused);

        await row.Locator("a", new LocatorLocatorOptions { HasText = "Remove" }).ClickAsync();
        await Assertions.Expect(page.Locator("form.confirm-remove")).ToContainTextAsync("Remove worker build-1?");
        Assert.NotNull(await store.GetWorkerAsync("build-1", TestContext.Current.CancellationToken));
        await page.ClickAsync("form.confirm-remove button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("removed="), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("build-1 removed");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Null(await store.GetWorkerByTokenIdAsync(tokenId, TestContext.Current.CancellationToken));

        var audit = await site.Server.Client.GetStringAsync("/api/v1/audit?limit=100");
        foreach (var action in new[] { "worker.add", "worker.pause", "worker.resume", "worker.remove" })
        {
            Assert.Contains(action, audit, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(token, audit, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_taken_name_is_refused_on_the_page_and_a_maintainer_may_not_see_it()
    {
        var added = await site.Server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "taken" });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/workers");
        await page.FillAsync("#worker-name", "taken");
        await page.ClickAsync("form[aria-label='Add a worker'] button[type=submit]");
        await Assertions.Expect(page.Locator(".notice.bad")).ToContainTextAsync("there is a worker named taken already");
        await Assertions.Expect(page.Locator("#new-worker-token")).ToHaveCountAsync(0);

        var token = await site.UserWithTokenAsync("mara", Cairn.Core.Access.Role.Maintainer);
        var maintainer = await site.SignedInPageAsync(token);
        await Assertions.Expect(maintainer.Locator("nav a[href='/workers']")).ToHaveCountAsync(0);
        var answer = await maintainer.GotoAsync("/workers");
        Assert.Equal(403, answer!.Status);
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
        }
    }
}
