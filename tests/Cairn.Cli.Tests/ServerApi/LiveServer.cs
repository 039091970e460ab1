using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Core.Execution;
using Cairn.Core.Runners;
using Cairn.Executors.Shell;
using Cairn.Forges;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Cairn.Server.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>The real Cairn server in this process on a loopback port, with the shell executor and one repository
/// (octo/app, a real git repository) whose pipeline a test commits.</summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ForgeCatalog _forges;
    private readonly TempDirectory _data;

    private LiveServer(WebApplication app, ForgeCatalog forges, TempDirectory data, GitRepository repo, string url, string token)
    {
        _app = app;
        _forges = forges;
        _data = data;
        Repo = repo;
        Url = url;
        Token = token;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public GitRepository Repo { get; }

    public string Url { get; }

    public string Token { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LiveServer> StartAsync()
    {
        var data = new TempDirectory();
        var given = new Dictionary<string, string?>
        {
            ["Data"] = data.Path,
            ["Urls"] = "http://127.0.0.1:0",
            ["Concurrency"] = "2",
            ["Grace"] = "5s",
            ["StreamKeepAlive"] = "1s",
        };
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), given), data.Path);
        Assert.True(settings is not null, string.Join("; ", errors));
        var time = TimeProvider.System;
        var shell = new ShellExecutor(new ShellExecutorOptions(), time);
        var resolver = new RunnerExecutorResolver(RunnerCatalog.BuiltIn, new Dictionary<string, IExecutor>(StringComparer.Ordinal) { [ExecutorNames.Shell] = shell });
        var forges = ForgeCatalog.Create(time);
        var runtime = new ServerRuntime(resolver, shell.KillAllNow, new ForgeDirectory(forges)) { Logging = l => l.SetMinimumLevel(LogLevel.Warning) };
        var (app, _) = await CairnServer.BuildAsync(settings!, runtime, newAdminToken: false, CancellationToken.None);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, AdminToken.FileName), TestContext.Current.CancellationToken)).Trim();
        var live = new LiveServer(app, forges, data, new GitRepository(), url, token);
        var added = await live.Client.PostAsJsonAsync(
            "/api/v1/repos", new { name = "octo/app", forge = "github", cloneUrl = live.Repo.CloneUrl }, TestContext.Current.CancellationToken);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return live;
    }

    /// <summary>Commits <paramref name="pipeline"/> and starts a manual run of it; answers the run's and its first job's ids.</summary>
    public async Task<(long Run, long Job)> RunAsync(string pipeline)
    {
        Repo.Commit(pipeline);
        var response = await Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (run.RootElement.GetProperty("id").GetInt64(), run.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _forges.Dispose();
        Repo.Dispose();
        _data.Dispose();
    }
}
