using System.Net.Http.Json;
using Cairn.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The audit page: filtered by actor, action and repository through a GET form, showing who acted with which
/// token, the target, the outcome and the address, a page at a time with a link to older entries.</summary>
public sealed class AuditPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task The_filters_narrow_the_list_and_older_entries_are_a_page_away()
    {
        var response = await site.Server.Client.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/AUDITED", new { value = "audited-value-41aa" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var log = site.Server.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 51; i++)
        {
            await log.AppendAuditAsync(
                new NewAuditEntry(DateTimeOffset.UtcNow, null, null, "octo/app", null, "repo.changed", "pager", $"change {i}") { ClientAddress = "10.9.8.7" },
                CancellationToken.None);
        }

        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/audit");
        await page.FillAsync("form.filters input[name=actor]", "admin");
        await page.FillAsync("form.filters input[name=action]", "created");
        await page.FillAsync("form.filters input[name=repo]", "octo/app");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("action=created", StringComparison.Ordinal));

        var rows = page.Locator("#audit tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("admin · admin token");
        await Assertions.Expect(rows.First).ToContainTextAsync("AUDITED");
        await Assertions.Expect(rows.First).ToContainTextAsync("ok");
        await Assertions.Expect(rows.First).ToContainTextAsync("127.0.0.1");
        Assert.Equal("admin", await page.InputValueAsync("form.filters input[name=actor]"));
        Assert.DoesNotContain("audited-value-41aa", await page.ContentAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/audit?actor=pager");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        await Assertions.Expect(rows.First).ToContainTextAsync("change 50");
        await page.ClickAsync("nav.pager a:has-text('Older')");
        await page.WaitForURLAsync(url => url.Contains("before=", StringComparison.Ordinal));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("change 0");
        Assert.Contains("actor=pager", page.Url, StringComparison.Ordinal);

        await page.GotoAsync("/audit?actor=nobody-at-all");
        await Assertions.Expect(rows.First).ToHaveTextAsync("No entry matches.");
    }
}
