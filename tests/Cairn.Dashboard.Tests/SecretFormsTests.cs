using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>An admin sets a secret from the secrets page, sees it listed without its value, and removes it after a
/// confirmation step; a post without the anti-forgery token changes nothing.</summary>
public sealed class SecretFormsTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Value = "s3cr3t-value-that-must-never-show-7f1c";

    [BrowserFact]
    public async Task A_secret_set_from_the_page_is_listed_without_its_value_and_can_be_removed()
    {
        var page = await site.SignedInPageAsync();
        var seen = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document")
            {
                seen.Add(response.Url);
            }
        };
        await page.GotoAsync("/secrets");

        await page.SelectOptionAsync("#secret-scope", "octo/app");
        await page.FillAsync("#secret-name", "DEPLOY_TOKEN");
        await page.FillAsync("#secret-value", Value);
        await page.ClickAsync("form[action='/secrets/set'] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("set=", StringComparison.Ordinal));

        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("DEPLOY_TOKEN");
        var row = page.Locator("table tbody tr", new PageLocatorOptions { HasText = "DEPLOY_TOKEN" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td").First).ToHaveTextAsync("octo/app");
        Assert.DoesNotContain(Value, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Value, (await (await page.APIRequest.GetAsync("/secrets")).TextAsync()), StringComparison.Ordinal);
        Assert.All(seen, url => Assert.DoesNotContain(Value, url, StringComparison.Ordinal));
        var listed = await site.Server.Client.GetFromJsonAsync<Page<SecretView>>("/api/v1/repos/octo/app/secrets");
        Assert.Contains(listed!.Items, s => s.Name == "DEPLOY_TOKEN");
        var audit = await site.Server.Client.GetStringAsync("/api/v1/audit");
        Assert.Contains("DEPLOY_TOKEN", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, audit, StringComparison.Ordinal);

        await row.Locator("a", new LocatorLocatorOptions { HasText = "Remove" }).ClickAsync();
        await Assertions.Expect(page.Locator("form.confirm-remove")).ToContainTextAsync("DEPLOY_TOKEN");
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "secrets-1280.png"), FullPage = true });
        }

        await page.ClickAsync("form.confirm-remove button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("removed=", StringComparison.Ordinal));

        await Assertions.Expect(page.Locator("table tbody tr", new PageLocatorOptions { HasText = "DEPLOY_TOKEN" })).ToHaveCountAsync(0);
        listed = await site.Server.Client.GetFromJsonAsync<Page<SecretView>>("/api/v1/repos/octo/app/secrets");
        Assert.DoesNotContain(listed!.Items, s => s.Name == "DEPLOY_TOKEN");
    }

    [BrowserFact]
    public async Task A_bad_name_is_shown_on_the_page_and_sets_nothing()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/secrets");
        // The browser's own check is left aside: the server's must hold without it.
        await page.EvalOnSelectorAsync("#secret-name", "e => e.removeAttribute('pattern')");

        await page.FillAsync("#secret-name", "1BAD-NAME");
        await page.FillAsync("#secret-value", Value);
        await page.ClickAsync("form[action='/secrets/set'] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("error=", StringComparison.Ordinal));

        await Assertions.Expect(page.Locator(".notice.bad")).ToContainTextAsync("name");
        Assert.DoesNotContain(Value, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, await page.ContentAsync(), StringComparison.Ordinal);
        var listed = await site.Server.Client.GetFromJsonAsync<Page<SecretView>>("/api/v1/secrets");
        Assert.DoesNotContain(listed!.Items, s => s.Name == "1BAD-NAME");
    }

    [BrowserFact]
    public async Task A_forged_post_without_the_anti_forgery_token_is_refused_and_changes_nothing()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/secrets");

        // Signed in (the session cookie goes along), but without the form's token: what another site's form would send.
        var set = await page.APIRequest.PostAsync("/secrets/set", new APIRequestContextOptions
        {
            Form = page.APIRequest.CreateFormData().Set("scope", "").Set("name", "FORGED").Set("value", Value),
            MaxRedirects = 0,
        });
        await site.Server.Client.PutAsJsonAsync("/api/v1/secrets/KEPT", new SecretRequest("kept"));
        var remove = await page.APIRequest.PostAsync("/secrets/remove", new APIRequestContextOptions
        {
            Form = page.APIRequest.CreateFormData().Set("scope", "").Set("name", "KEPT"),
            MaxRedirects = 0,
        });

        Assert.Equal(400, set.Status);
        Assert.Equal(400, remove.Status);
        var listed = await site.Server.Client.GetFromJsonAsync<Page<SecretView>>("/api/v1/secrets");
        Assert.DoesNotContain(listed!.Items, s => s.Name == "FORGED");
        Assert.Contains(listed.Items, s => s.Name == "KEPT");
        Assert.Equal(HttpStatusCode.OK, (await site.Server.Client.GetAsync("/api/v1/secrets")).StatusCode);
    }
}
