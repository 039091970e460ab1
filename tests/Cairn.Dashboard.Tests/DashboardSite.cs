using System.Net.Http.Json;
using Cairn.Server.Api;
using Cairn.Server.Tests;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A real server with one repository (<c>octo/app</c>, cloned by file:// URL) and, once a test asks, a real
/// Chromium: what the browser tests of a class share.</summary>
public sealed class DashboardSite : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private IPlaywright? playwright;
    private IBrowser? browser;

    public GitRepository Repository { get; } = new();

    public ServerHarness Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await ServerHarness.StartAsync(data.Path);
        // Assertions wait as long as actions do: a run's jobs start as slowly as a busy machine lets them.
        Assertions.SetDefaultExpectTimeout(20_000);
        // Statuses go nowhere: the port refuses at once, and the run does not care.
        await Server.AddRepositoryAsync("octo/app", "github", Repository.CloneUrl, "http://127.0.0.1:9/", "s");
    }

    /// <summary>A page in a fresh browser context (no cookies), <paramref name="width"/> pixels wide.</summary>
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
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>A page already signed in with the admin token.</summary>
    public async Task<IPage> SignedInPageAsync(int width = 1280, int height = 800)
    {
        var page = await NewPageAsync(width, height);
        await page.GotoAsync("/login");
        await page.FillAsync("#token", Server.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    /// <summary>Commits the pipeline and starts a run of it through the API.</summary>
    public async Task<RunView> StartRunAsync(string pipeline)
    {
        Repository.Commit(pipeline);
        var response = await Server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunView>())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        await Server.DisposeAsync();
        Repository.Dispose();
        data.Dispose();
    }
}
