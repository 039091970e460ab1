using Cairn.Core.Secrets;
using Cairn.Server.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>Two servers on one store share the dashboard's keys: a session made on one is good on the other, and the
/// keys' rows hold no key in the clear.</summary>
public sealed class SharedKeysTests
{
    [BrowserFact]
    public async Task A_session_made_on_one_server_is_accepted_by_another_on_the_same_store()
    {
        using var data = new TempDirectory();
        await using var first = await ServerHarness.StartAsync(data.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Engines.Chromium,
            Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        });
        var context = await browser.NewContextAsync();
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(first.Url + "/login");
        await page.FillAsync("#token", first.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));

        // Started once the first made its keys, as a replica added later would be. The cookie is the host's, whatever
        // the port, so the browser sends the first server's cookie to the second.
        await using var second = await ServerHarness.StartAsync(data.Path);
        var response = await page.GotoAsync(second.Url + "/secrets");

        Assert.Equal(200, response!.Status);
        Assert.DoesNotContain("/login", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Secrets");
        // A form made on the second server posts there too: its anti-forgery token opens with the shared keys.
        await page.FillAsync("#secret-name", "FROM_SECOND");
        await page.FillAsync("#secret-value", "v");
        await page.ClickAsync("form[action='/secrets/set'] button[type=submit]");
        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("FROM_SECOND");
    }

    [Fact]
    public async Task The_stored_keys_hold_no_key_in_the_clear()
    {
        using var data = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(data.Path);
        // Any page with a form makes the ring's first key.
        Assert.True((await server.Anonymous.GetAsync("/login")).IsSuccessStatusCode);

        var rows = await server.Services.GetRequiredService<IDashboardKeyStore>().ListDashboardKeysAsync(TestContext.Current.CancellationToken);

        var row = Assert.Single(rows);
        Assert.Contains("<key ", row, StringComparison.Ordinal);
        Assert.True(row.Contains("<sealedKey", StringComparison.Ordinal), row);
        Assert.DoesNotContain("<masterKey", row, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", row, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data.Path, "dashboard-keys")));
    }
}
