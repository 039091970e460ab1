using Cairn.Core.Access;
using Cairn.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>People sign in through a real OpenID provider and a GitHub stand-in, in a real browser: their user is
/// made on first sign-in, their groups give them a role, and those outside the allowed groups are turned away.</summary>
public sealed class ProviderSignInTests(SignInSite site) : IClassFixture<SignInSite>
{
    private IUserStore Users => site.Server.Services.GetRequiredService<IUserStore>();

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync() =>
        await site.Server.Services.GetRequiredService<IAuditLog>().ListAuditAsync(null, 500, CancellationToken.None);

    [OidcBrowserFact]
    public async Task A_person_in_the_admin_group_signs_in_at_the_provider_and_lands_on_the_page_they_asked_for_as_an_admin()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/secrets");
        Assert.EndsWith("/login?return=%2Fsecrets", page.Url, StringComparison.Ordinal);

        await SignInSite.SignInAtProviderAsync(page, SignInSite.Ada);

        await page.WaitForURLAsync(url => url.EndsWith("/secrets", StringComparison.Ordinal) && url.StartsWith(site.Server.Url, StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("form[aria-label='Set a secret']")).ToBeVisibleAsync();
        Assert.Equal("global role: admin", await page.Locator(".who").GetAttributeAsync("title"));
        Assert.Equal("ada", (await page.Locator(".who").TextContentAsync())?.Trim());

        var user = await Users.GetUserByExternalIdAsync(UserSource.Oidc, SignInSite.Ada.Id, CancellationToken.None);
        Assert.NotNull(user);
        Assert.Equal("ada", user.Name);
        Assert.Equal(SignInSite.Ada.Email, user.Email);
        Assert.Equal(Role.Viewer, user.Role);
        Assert.Contains(await AuditAsync(), e => e.Action == AuditActions.SignIn && e.Actor == "ada" && e.Detail!.Contains("oidc", StringComparison.Ordinal));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "cairn_external");
    }

    [OidcBrowserFact]
    public async Task A_person_without_the_admin_group_gets_the_default_role_and_no_admin_forms()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await SignInSite.SignInAtProviderAsync(page, SignInSite.Bob);
        await page.WaitForURLAsync(url => url.StartsWith(site.Server.Url, StringComparison.Ordinal) && !url.Contains("/login", StringComparison.Ordinal));

        await page.GotoAsync("/secrets");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Secrets");
        Assert.Equal("global role: viewer", await page.Locator(".who").GetAttributeAsync("title"));
        Assert.Equal(0, await page.Locator("form[aria-label='Set a secret']").CountAsync());
    }

    [OidcBrowserFact]
    public async Task A_person_outside_the_allowed_groups_is_refused_with_a_message_and_gets_no_user()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login?return=%2Fruns");
        await SignInSite.SignInAtProviderAsync(page, SignInSite.Eve);

        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("not in a group or organisation allowed");
        Assert.Contains("/login?failed=not-allowed", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "cairn_session");
        Assert.Null(await Users.GetUserByExternalIdAsync(UserSource.Oidc, SignInSite.Eve.Id, CancellationToken.None));
        Assert.Contains(await AuditAsync(), e => e.Action == AuditActions.SignInFailed && e.Target == "eve" && e.Outcome == AuditOutcomes.Denied);
    }

    [OidcBrowserFact]
    public async Task A_second_sign_in_finds_the_same_user_and_a_taken_name_gets_a_number()
    {
        await Users.CreateUserAsync(new NewUser("carol", null, Role.Viewer, UserSource.Local, DateTimeOffset.UtcNow), CancellationToken.None);

        for (var i = 0; i < 2; i++)
        {
            var page = await site.NewPageAsync();
            await page.GotoAsync("/login");
            await SignInSite.SignInAtProviderAsync(page, SignInSite.Carol);
            await page.WaitForURLAsync(url => url.StartsWith(site.Server.Url, StringComparison.Ordinal) && !url.Contains("/login", StringComparison.Ordinal));
            Assert.Equal("carol-2", (await page.Locator(".who").TextContentAsync())?.Trim());
        }

        var theirs = (await Users.ListUsersAsync(CancellationToken.None)).Where(u => u.Source == UserSource.Oidc && u.ExternalId == SignInSite.Carol.Id).ToList();
        Assert.Equal("carol-2", Assert.Single(theirs).Name);
        Assert.Equal(UserSource.Local, (await Users.GetUserAsync("carol", CancellationToken.None))!.Source);
    }

    [OidcBrowserFact]
    public async Task A_disabled_user_is_refused_at_sign_in()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await SignInSite.SignInAtProviderAsync(page, SignInSite.Bob);
        await page.WaitForURLAsync(url => url.StartsWith(site.Server.Url, StringComparison.Ordinal) && !url.Contains("/login", StringComparison.Ordinal));
        Assert.True(await Users.SetUserDisabledAsync("bob", true, CancellationToken.None));
        try
        {
            var again = await site.NewPageAsync();
            await again.GotoAsync("/login");
            await SignInSite.SignInAtProviderAsync(again, SignInSite.Bob);
            await Assertions.Expect(again.Locator("[role=alert]")).ToContainTextAsync("disabled");
            Assert.DoesNotContain(await again.Context.CookiesAsync(), c => c.Name == "cairn_session");
        }
        finally
        {
            await Users.SetUserDisabledAsync("bob", false, CancellationToken.None);
        }
    }

    [OidcBrowserFact]
    public async Task GitHub_organisations_and_teams_become_groups_and_a_team_mapped_to_admin_makes_an_admin()
    {
        site.GitHub.SignedInAs = new GitHubOAuthStandIn.GitHubUser(
            583231, "octocat", "octocat@example.test", [SignInSite.GitHubOrg, "other-org"], [(SignInSite.GitHubOrg, "platform"), ("other-org", "docs")]);
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login?return=%2Fsecrets");
        await page.ClickAsync("text=Sign in with GitHub");

        await page.WaitForURLAsync(url => url.EndsWith("/secrets", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 20_000 });
        Assert.True(site.GitHub.Refusals.IsEmpty, string.Join("; ", site.GitHub.Refusals));
        await Assertions.Expect(page.Locator("form[aria-label='Set a secret']")).ToBeVisibleAsync();
        var user = await Users.GetUserByExternalIdAsync(UserSource.Github, "583231", CancellationToken.None);
        Assert.Equal("octocat", user!.Name);
        Assert.Equal(UserSource.Github, user.Source);
        Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "cairn_session");
        Assert.Contains(await AuditAsync(), e => e.Action == AuditActions.SignIn && e.Actor == "octocat" && e.Detail!.Contains("github", StringComparison.Ordinal));
    }

    [OidcBrowserFact]
    public async Task A_GitHub_user_outside_the_allowed_organisations_is_refused()
    {
        site.GitHub.SignedInAs = new GitHubOAuthStandIn.GitHubUser(99, "stranger", null, ["elsewhere"], [("elsewhere", "all")]);
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await page.ClickAsync("text=Sign in with GitHub");

        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("not in a group or organisation allowed");
        Assert.Null(await Users.GetUserByExternalIdAsync(UserSource.Github, "99", CancellationToken.None));
    }

    [OidcBrowserFact]
    public async Task The_sign_in_page_offers_both_providers_above_the_token_form()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login?return=%2Fruns");

        var oidc = page.Locator($"a.provider:has-text('Sign in with {SignInSite.OidcName}')");
        await Assertions.Expect(oidc).ToHaveAttributeAsync("href", "/login/oidc?return=%2Fruns");
        await Assertions.Expect(page.Locator("a.provider:has-text('Sign in with GitHub')")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#token")).ToBeVisibleAsync();

        var folder = Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } given ? given : Path.Combine(Path.GetTempPath(), "cairn-dashboard-shots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "login-providers-1280.png"), FullPage = true });
    }
}
