using System.Net;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>Signing in and out, and what a session may and may not do.</summary>
public sealed class SignInTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_page_without_a_session_sends_to_sign_in_and_signing_in_lands_back_on_it()
    {
        var page = await site.NewPageAsync();

        await page.GotoAsync("/runs?status=failed");
        Assert.EndsWith("/login?return=%2Fruns%3Fstatus%3Dfailed", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#token", site.Server.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/runs?status=failed", StringComparison.Ordinal));
        Assert.Equal("failed", await page.InputValueAsync("select[name=status]"));

        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "cairn_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
    }

    [BrowserFact]
    public async Task A_wrong_token_is_refused_with_a_message()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login?return=%2Faudit");

        await page.FillAsync("#token", "cairn_not-the-token");
        await page.ClickAsync("button[type=submit]");

        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("not accepted");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "cairn_session");
    }

    [BrowserFact]
    public async Task A_return_to_another_site_lands_on_the_dashboard_instead()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login?return=%2F%2Fevil.example%2Fx");

        await page.FillAsync("#token", site.Server.Token);
        await page.ClickAsync("button[type=submit]");

        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        Assert.Equal(new Uri(site.Server.Url).Authority, new Uri(page.Url).Authority);
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
    }

    [BrowserFact]
    public async Task The_session_reads_the_api_but_cannot_write_it_and_a_form_post_without_the_token_is_refused()
    {
        var page = await site.SignedInPageAsync();
        var run = await site.StartRunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              wait:
                steps: [{ run: sleep 300 }]
            """);

        var read = await page.APIRequest.GetAsync($"/api/v1/runs/{run.Id}");
        var write = await page.APIRequest.PostAsync($"/api/v1/runs/{run.Id}/cancel");
        var forged = await page.APIRequest.PostAsync($"/runs/{run.Id}/cancel", new APIRequestContextOptions { Form = page.APIRequest.CreateFormData() });

        Assert.Equal((int)HttpStatusCode.OK, read.Status);
        Assert.Equal((int)HttpStatusCode.Unauthorized, write.Status);
        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);
        Assert.Equal("running", (await site.Server.GetRunAsync(run.Id)).Status);
        await site.Server.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
    }

    [BrowserFact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await site.SignedInPageAsync();

        await page.ClickAsync("text=Sign out");
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await page.GotoAsync("/events");

        Assert.Contains("/login?return=%2Fevents", page.Url, StringComparison.Ordinal);
    }
}
