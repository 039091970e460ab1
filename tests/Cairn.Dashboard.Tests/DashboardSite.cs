using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Cairn.Server.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>A real server with one repository (<c>octo/app</c>, cloned by file:// URL) and, once a test asks, a real
/// Chromium: what the browser tests of a class share.</summary>
public class DashboardSite : IAsyncLifetime
{
    private readonly TempDirectory data = new();

    /// <summary>The server's data folder (its SQLite store is cairn.db there).</summary>
    public string DataPath => data.Path;

    /// <summary>The lease a running job is held under, read from the store's file: what writing for the job's executor
    /// (its waiting reason) must name.</summary>
    public Guid LeaseOf(long jobId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data.Path, "cairn.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT lease_id FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        return Guid.Parse((string)command.ExecuteScalar()!);
    }
    private readonly Action<Dictionary<string, string?>>? configure;
    private readonly Func<ServerRuntime, ServerRuntime>? adjust;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public DashboardSite()
    {
    }

    /// <summary>A site whose server takes <paramref name="configure"/>'s settings and <paramref name="adjust"/>'s runtime
    /// (its clock, say).</summary>
    protected DashboardSite(Action<Dictionary<string, string?>>? configure, Func<ServerRuntime, ServerRuntime>? adjust)
    {
        this.configure = configure;
        this.adjust = adjust;
    }

    public GitRepository Repository { get; } = new();

    /// <summary>Keeps artifacts for a job of a real run through the server's own stash.</summary>
    public SeededArtifacts Artifacts => new(() => Server.Services);

    public ServerHarness Server { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Server = await ServerHarness.StartAsync(data.Path, configure, adjust: runtime => adjust?.Invoke(runtime) ?? runtime);
        // Assertions wait as long as actions do: a run's jobs start as slowly as a busy machine lets them.
        Assertions.SetDefaultExpectTimeout(60_000);
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
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>A page already signed in with the admin token.</summary>
    public Task<IPage> SignedInPageAsync(int width = 1280, int height = 800) => SignedInPageAsync(Server.Token, width, height);

    /// <summary>A page signed in on <c>/login</c> with <paramref name="token"/> (the admin token or a user's API token).</summary>
    public async Task<IPage> SignedInPageAsync(string token, int width = 1280, int height = 800)
    {
        var page = await NewPageAsync(width, height);
        await page.GotoAsync("/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    /// <summary>Makes a user through the store with global role <paramref name="role"/> (null: none) and an API token of
    /// theirs with every scope, as the API would; returns the token's value.</summary>
    public async Task<string> UserWithTokenAsync(string name, Role? role)
    {
        var time = Server.Services.GetRequiredService<TimeProvider>();
        var user = await Server.Services.GetRequiredService<IUserStore>().CreateUserAsync(
            new NewUser(name, $"{name}@example.invalid", role, UserSource.Local, time.GetUtcNow()), CancellationToken.None);
        Assert.NotNull(user);
        var (value, token) = ApiTokens.Create(user.Id, $"{name}-dashboard", TokenScope.Read | TokenScope.Trigger | TokenScope.Admin, time.GetUtcNow(), null);
        Assert.NotNull(await Server.Services.GetRequiredService<IApiTokenStore>().CreateApiTokenAsync(token, CancellationToken.None));
        return value;
    }

    /// <summary>Commits the pipeline and starts a run of it through the API.</summary>
    public async Task<RunView> StartRunAsync(string pipeline, string repository = "octo/app")
    {
        Repository.Commit(pipeline);
        var response = await Server.Client.PostAsJsonAsync($"/api/v1/repos/{repository}/runs", new { @ref = "main" });
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
        GC.SuppressFinalize(this);
    }
}
