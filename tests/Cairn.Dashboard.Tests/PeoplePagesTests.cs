using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Server.Api;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>People and their tokens in the dashboard: a person makes an API token and sees its value once, an admin adds
/// a user and changes their role, a maintainer grants a role on their repository; each through the people API's own
/// rules, as the API would.</summary>
public sealed class PeoplePagesTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_token_made_on_the_page_is_shown_once_works_and_stops_working_once_revoked()
    {
        var page = await SignedInAsAsync("dana", "developer", ["read", "trigger"]);
        await page.GotoAsync("/tokens");

        await page.FillAsync("#token-name", "deploy script");
        await page.CheckAsync("input[name=scope][value=trigger]");
        await page.ClickAsync("form[aria-label='Make a token'] button[type=submit]");
        var field = page.Locator("#new-token-value");
        await Assertions.Expect(field).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^cairn_"));
        var value = await field.InputValueAsync();
        Assert.DoesNotContain(value, page.Url, StringComparison.Ordinal);
        await ShootAsync(page, "tokens-1280.png");

        using (var client = Bearer(value))
        {
            var me = await client.GetFromJsonAsync<MeView>("/api/v1/me");
            Assert.Equal("dana", me!.Name);
            Assert.Equal("deploy script", me.TokenName);
        }

        await page.GotoAsync("/tokens");
        await Assertions.Expect(page.Locator("#new-token-value")).ToHaveCountAsync(0);
        Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.Locator("table.tokens tbody tr", new PageLocatorOptions { HasText = "deploy script" });
        await Assertions.Expect(row).ToContainTextAsync("read, trigger");
        await Assertions.Expect(row).ToContainTextAsync("active");

        await row.Locator("a", new LocatorLocatorOptions { HasText = "Revoke" }).ClickAsync();
        await page.ClickAsync("form.confirm-remove button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("revoked=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("deploy script");
        await Assertions.Expect(row).ToContainTextAsync("revoked");
        Assert.DoesNotContain(value, page.Url, StringComparison.Ordinal);

        using (var client = Bearer(value))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
        }

        var audit = await site.Server.Client.GetStringAsync("/api/v1/audit?actor=dana");
        Assert.Contains("token.created", audit, StringComparison.Ordinal);
        Assert.Contains("token.revoked", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(value, audit, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_session_of_a_read_only_token_makes_no_token_and_is_told_why()
    {
        var page = await SignedInAsAsync("rhea", "developer", ["read"]);
        await page.GotoAsync("/tokens");

        await page.FillAsync("#token-name", "wider");
        await page.ClickAsync("form[aria-label='Make a token'] button[type=submit]");

        await Assertions.Expect(page.Locator(".notice.bad")).ToContainTextAsync("read scope cannot make tokens");
        await Assertions.Expect(page.Locator("#new-token-value")).ToHaveCountAsync(0);
        var listed = await site.Server.Client.GetFromJsonAsync<Page<TokenView>>("/api/v1/users/rhea/tokens");
        Assert.DoesNotContain(listed!.Items, t => t.Name == "wider");
    }

    [BrowserFact]
    public async Task An_admin_adds_a_user_and_changes_their_role_and_a_developer_may_not_see_the_page()
    {
        var page = await site.SignedInPageAsync();
        await page.GotoAsync("/users");

        await page.FillAsync("#user-name", "erin");
        await page.SelectOptionAsync("#user-role", "developer");
        await page.FillAsync("#user-email", "erin@example.com");
        await page.ClickAsync("form[aria-label='Add a user'] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("added=", StringComparison.Ordinal));
        var row = page.Locator("table.users tbody tr[data-user=erin]");
        await Assertions.Expect(row).ToContainTextAsync("erin@example.com");

        await row.Locator("select[name=role]").SelectOptionAsync("maintainer");
        await row.Locator("button", new LocatorLocatorOptions { HasText = "Change" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("changed=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator(".notice.good")).ToContainTextAsync("erin: maintainer");
        await ShootAsync(page, "users-1280.png");
        var erin = await site.Server.Client.GetFromJsonAsync<UserView>("/api/v1/users/erin");
        Assert.Equal("maintainer", erin!.Role);
        Assert.Equal("erin@example.com", erin.Email);
        Assert.Contains("user.changed", await site.Server.Client.GetStringAsync("/api/v1/audit?action=user.changed"), StringComparison.Ordinal);

        var developer = await SignedInAsAsync("devon", "developer", ["read", "trigger"]);
        await Assertions.Expect(developer.Locator("nav a[href='/users']")).ToHaveCountAsync(0);
        var answer = await developer.GotoAsync("/users");
        Assert.Equal(403, answer!.Status);
        await Assertions.Expect(developer.Locator("main")).ToContainTextAsync("Your role does not allow this page");
    }

    [BrowserFact]
    public async Task A_maintainer_grants_a_role_on_their_repository_from_its_members_page()
    {
        await site.Server.Client.PostAsJsonAsync("/api/v1/users", new UserRequest("finn", "none", null));
        var page = await SignedInAsAsync("mona", "none", ["admin"], maintainerOf: "octo/app");
        await page.GotoAsync("/repos");
        await page.ClickAsync("section.repo a.members-link");
        await page.WaitForURLAsync(url => url.Contains("/repos/members?repo=octo%2Fapp", StringComparison.Ordinal));

        await page.FillAsync("#grant-who", "finn");
        await page.SelectOptionAsync("#grant-role", "developer");
        await page.ClickAsync("form[aria-label='Grant a role'] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("granted=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("table.members tr[data-member=finn] select[name=role]")).ToHaveValueAsync("developer");
        await Assertions.Expect(page.Locator("#grant-role option[value=admin]")).ToHaveCountAsync(0);
        await ShootAsync(page, "members-1280.png");

        var members = await site.Server.Client.GetFromJsonAsync<Page<MemberView>>("/api/v1/repos/octo/app/members");
        Assert.Contains(members!.Items, m => m is { User: "finn", Role: "developer" });
        Assert.Contains("member.granted", await site.Server.Client.GetStringAsync("/api/v1/audit?actor=mona"), StringComparison.Ordinal);

        // Not above her own role: the server refuses what the form does not offer.
        await page.EvalOnSelectorAsync("#grant-role", "e => e.add(new Option('admin', 'admin', true, true))");
        await page.FillAsync("#grant-who", "finn");
        await page.ClickAsync("form[aria-label='Grant a role'] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("error=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator(".notice.bad")).ToContainTextAsync("a role above your own");
        members = await site.Server.Client.GetFromJsonAsync<Page<MemberView>>("/api/v1/repos/octo/app/members");
        Assert.Contains(members!.Items, m => m is { User: "finn", Role: "developer" });
    }

    /// <summary>A page signed in with a token made for <paramref name="name"/> (added with <paramref name="role"/> as their
    /// global role, and maintainer of <paramref name="maintainerOf"/> when given).</summary>
    private async Task<IPage> SignedInAsAsync(string name, string role, string[] scopes, string? maintainerOf = null)
    {
        var added = await site.Server.Client.PostAsJsonAsync("/api/v1/users", new UserRequest(name, role, null));
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        if (maintainerOf is not null)
        {
            var granted = await site.Server.Client.PutAsJsonAsync($"/api/v1/repos/{maintainerOf}/members/{name}", new GrantRequest("maintainer"));
            Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());
        }

        var made = await site.Server.Client.PostAsJsonAsync($"/api/v1/users/{name}/tokens", new TokenRequest("sign-in", "1d", scopes));
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());
        var token = (await made.Content.ReadFromJsonAsync<CreatedTokenView>())!.Token;
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        // Signed in once the redirect is under way; what the front page then loads is not this helper's to wait for.
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        return page;
    }

    private HttpClient Bearer(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(site.Server.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
        }
    }
}
