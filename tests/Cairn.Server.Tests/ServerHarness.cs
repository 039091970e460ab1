using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Execution;
using Cairn.Core.Runners;
using Cairn.Executors.Shell;
using Cairn.Forges;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests;

/// <summary>The real server, in this process, on a loopback port, with a data directory of its own, the shell
/// executor, and an HTTP client that carries the admin token.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    public const string PublicUrl = "http://cairn.test/";
    private readonly WebApplication app;
    private readonly ForgeCatalog forges;

    private ServerHarness(WebApplication app, ForgeCatalog forges, string data, string url, string token)
    {
        this.app = app;
        this.forges = forges;
        DataDirectory = data;
        Url = url;
        Token = token;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Anonymous = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string DataDirectory { get; }

    public string Url { get; }

    public string Token { get; }

    /// <summary>Sends the admin token.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no token: what a forge's webhook looks like.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>Starts a server on <paramref name="data"/> (kept by the caller, so a second server can start on it);
    /// <paramref name="map"/> adds the test's own endpoints beside the server's.</summary>
    public static async Task<ServerHarness> StartAsync(
        string data, Action<Dictionary<string, string?>>? configure = null, string? runners = null, Func<ServerRuntime, ServerRuntime>? adjust = null,
        Action<WebApplication>? map = null)
    {
        var given = new Dictionary<string, string?>
        {
            ["Data"] = data,
            ["Urls"] = "http://127.0.0.1:0",
            ["PublicUrl"] = PublicUrl,
            ["Concurrency"] = "2",
            ["Grace"] = "5s",
        };
        configure?.Invoke(given);
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), given), data);
        Assert.True(settings is not null, string.Join("; ", errors));

        var catalog = RunnerCatalog.BuiltIn;
        if (runners is not null)
        {
            var loaded = RunnerCatalogLoader.Load(runners, "runners.yml");
            Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
            catalog = loaded.Catalog!;
        }

        var time = TimeProvider.System;
        var shell = new ShellExecutor(new ShellExecutorOptions(), time);
        var resolver = new RunnerExecutorResolver(catalog, new Dictionary<string, IExecutor>(StringComparer.Ordinal) { [ExecutorNames.Shell] = shell });
        var forges = ForgeCatalog.Create(time, new StatusSendOptions { AttemptTimeout = TimeSpan.FromSeconds(2), QuickRetries = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(50) });
        var runtime = new ServerRuntime(resolver, shell.KillAllNow, new ForgeDirectory(forges))
        {
            Runners = catalog,
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
            StatusBackoff = _ => TimeSpan.FromMilliseconds(200),
        };
        runtime = adjust?.Invoke(runtime) ?? runtime;
        var (app, _) = await CairnServer.BuildAsync(settings!, runtime, newAdminToken: false, CancellationToken.None);
        map?.Invoke(app);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var token = (await File.ReadAllTextAsync(settings!.AdminTokenFile ?? Path.Combine(data, AdminToken.FileName))).Trim();
        return new ServerHarness(app, forges, data, url, token);
    }

    public async Task<RepositoryView> AddRepositoryAsync(string name, string forge, string cloneUrl, string apiUrl, string secret, string? statusToken = "status-token")
    {
        var response = await Client.PostAsJsonAsync("/api/v1/repos", new { name, forge, cloneUrl, apiUrl, webhookSecret = secret, statusToken });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RepositoryView>())!;
    }

    public async Task<RunView> GetRunAsync(long id) =>
        (await Client.GetFromJsonAsync<RunView>($"/api/v1/runs/{id}"))!;

    public async Task<IReadOnlyList<RunView>> ListRunsAsync(string? query = null) =>
        (await Client.GetFromJsonAsync<Page<RunView>>($"/api/v1/runs{query}"))!.Items;

    public async Task<IReadOnlyList<EventView>> ListEventsAsync() =>
        (await Client.GetFromJsonAsync<Page<EventView>>("/api/v1/events"))!.Items;

    /// <summary>Waits for the event to be planned, ignored or failed, and returns it.</summary>
    public Task<EventView> WaitForEventAsync(long id) =>
        Eventually.ValueAsync(
            async () => (await Client.GetFromJsonAsync<EventView>($"/api/v1/events/{id}"))!,
            entry => entry.State != "pending",
            $"event {id} to be planned",
            TimeSpan.FromSeconds(60));

    /// <summary>Waits for the run to end and returns it.</summary>
    public Task<RunView> WaitForRunAsync(long id) =>
        Eventually.ValueAsync(() => GetRunAsync(id), run => run.Status != "running", $"run {id} to end", TimeSpan.FromSeconds(90));

    /// <summary>Has this server's scheduler take one more look for due crons, after any look it has under way; returns
    /// how many it fired.</summary>
    public Task<int> LookForDueSchedulesAsync() =>
        app.Services.GetServices<IHostedService>().OfType<Scheduler>().Single().FireDueAsync(CancellationToken.None);

    /// <summary>Waits until no journaled event is pending any more: each was planned (its run started), ignored or failed.</summary>
    public Task WaitForPlanningAsync() =>
        Eventually.ValueAsync(ListEventsAsync, events => events.All(e => e.State != "pending"), "every journaled event to be planned", TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        forges.Dispose();
    }
}
