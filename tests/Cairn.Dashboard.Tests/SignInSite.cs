using System.Net;
using System.Net.Sockets;
using Cairn.Server.Tests;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A real server that lets people sign in through a real OpenID provider (oidc-provider under Node) and a
/// stand-in for GitHub, and a real Chromium to sign in with. The provider knows four people: ada (ci-admins), bob
/// (developers), carol (developers, whose name a local user already has) and eve (outsiders). The server lets
/// ci-admins and developers in, and maps ci-admins (and GitHub's octo-org/platform team) to admin.</summary>
public sealed class SignInSite : IAsyncLifetime
{
    public const string OidcName = "Test Identity";
    public const string GitHubOrg = "octo-org";
    private readonly TempDirectory data = new();
    private IPlaywright? playwright;
    private IBrowser? browser;

    public static readonly OidcProvider.Account Ada = new("sub-ada-1", "ada", "ada@example.test", ["ci-admins", "developers"]);
    public static readonly OidcProvider.Account Bob = new("sub-bob-2", "bob", "bob@example.test", ["developers"]);
    public static readonly OidcProvider.Account Carol = new("sub-carol-3", "carol", "carol@example.test", ["developers"]);
    public static readonly OidcProvider.Account Eve = new("sub-eve-4", "eve", "eve@example.test", ["outsiders"]);

    public OidcProvider Provider { get; private set; } = null!;

    public GitHubOAuthStandIn GitHub { get; private set; } = null!;

    public ServerHarness Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Engines.OidcProviderMissing is not null)
        {
            // The tests skip; nothing to start.
            return;
        }

        // The provider must know the redirect URI before the server starts, so the server's port is chosen first.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = $"http://127.0.0.1:{port}";

        Provider = await OidcProvider.StartAsync("cairn-dashboard", "oidc-client-secret", $"{url}/signin/oidc", [Ada, Bob, Carol, Eve]);
        GitHub = GitHubOAuthStandIn.Start("gh-client", "gh-client-secret");
        var oidcSecret = data.WriteFile("secrets/oidc", "oidc-client-secret\n");
        var githubSecret = data.WriteFile("secrets/github", "gh-client-secret");
        Server = await ServerHarness.StartAsync(data.Combine("data"), given =>
        {
            given["Urls"] = url;
            given["PublicUrl"] = url + "/";
            given["OidcAuthority"] = Provider.Issuer.AbsoluteUri;
            given["OidcClientId"] = "cairn-dashboard";
            given["OidcClientSecretFile"] = oidcSecret;
            given["OidcAllowedGroups"] = "ci-admins,developers";
            given["OidcName"] = OidcName;
            given["GitHubClientId"] = "gh-client";
            given["GitHubClientSecretFile"] = githubSecret;
            given["GitHubUrl"] = GitHub.Url.AbsoluteUri;
            given["GitHubApiUrl"] = GitHub.ApiUrl.AbsoluteUri;
            given["GitHubAllowedOrgs"] = GitHubOrg;
            given["Auth:GroupRoles:ci-admins"] = "admin";
            given[$"Auth:GroupRoles:{GitHubOrg}/platform"] = "admin";
        });
        Assertions.SetDefaultExpectTimeout(60_000);
    }

    /// <summary>A page in a fresh browser context (no cookies).</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        if (browser is null)
        {
            playwright = await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Engines.Chromium,
                Args = ["--headless", "--no-sandbox", "--disable-gpu"],
            });
        }

        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Url,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(60_000);
        // Nothing leaves this machine: the provider's login page asks for a web font, which would hold up its load.
        await context.RouteAsync(
            url => !new Uri(url).IsLoopback && !url.StartsWith("data:", StringComparison.Ordinal),
            route => route.AbortAsync());
        return await context.NewPageAsync();
    }

    /// <summary>From the sign-in page the page is on: the provider's button, then its login form as
    /// <paramref name="account"/> would fill it in.</summary>
    public static async Task SignInAtProviderAsync(IPage page, OidcProvider.Account account)
    {
        await page.ClickAsync($"text=Sign in with {OidcName}");
        await page.FillAsync("input[name=login]", account.Id);
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (GitHub is not null)
        {
            await GitHub.DisposeAsync();
        }

        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        data.Dispose();
    }
}
