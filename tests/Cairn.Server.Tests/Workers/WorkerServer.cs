using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Workers;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Workers;

/// <summary>A real server that runs no jobs itself (concurrency 0), with a repository (<see cref="App"/>) whose pipeline
/// has one job declaring <see cref="Declared"/>, its secrets set, and workers added through the store: what a worker over
/// HTTP talks to.</summary>
public sealed class WorkerServer : IAsyncDisposable
{
    public const string App = "acme/app";
    public const string Other = "acme/other";
    public const string Declared = "DEPLOY_KEY";
    public const string Undeclared = "OTHER_KEY";
    public const string StatusToken = "status-token-0123456789";

    private readonly TempDirectory data;
    private readonly List<HttpClient> clients = [];

    private WorkerServer(TempDirectory data, ServerHarness server, GitRepository git, string sha)
    {
        this.data = data;
        Server = server;
        Git = git;
        Sha = sha;
    }

    public ServerHarness Server { get; }

    public GitRepository Git { get; }

    /// <summary>The commit the runs are of.</summary>
    public string Sha { get; }

    public static async Task<WorkerServer> StartAsync(string? lease = null, string? runners = null)
    {
        var git = new GitRepository();
        var sha = git.Commit($"name: ci\non: {{ manual: {{}} }}\njobs:\n  a:\n    secrets: [{Declared}]\n    steps: [{{ run: 'echo hi' }}]\n");
        var data = new TempDirectory();
        var server = await ServerHarness.StartAsync(data.Path, given =>
        {
            given["Concurrency"] = "0";
            if (lease is not null)
            {
                given["Lease"] = lease;
                given["Heartbeat"] = "1s";
            }
        }, runners);
        var world = new WorkerServer(data, server, git, sha);
        await server.AddRepositoryAsync(App, "github", git.CloneUrl, "https://api.github.com", "hook-secret-value", StatusToken);
        await server.AddRepositoryAsync(Other, "github", git.CloneUrl, "https://api.github.com", "hook-secret-value", StatusToken);
        foreach (var (name, value) in new[] { (Declared, "declared-value"), (Undeclared, "undeclared-value") })
        {
            var set = await server.Client.PutAsJsonAsync($"/api/v1/repos/{App}/secrets/{name}", new { value });
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        }

        return world;
    }

    public T Service<T>() where T : notnull => Server.Services.GetRequiredService<T>();

    /// <summary>Starts a run of <paramref name="repository"/>'s main branch; its one job is queued for a worker.</summary>
    public async Task<long> QueueRunAsync(string repository = App)
    {
        var created = await Server.Client.PostAsJsonAsync($"/api/v1/repos/{repository}/runs", new { @ref = "main" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<RunView>())!.Id;
    }

    /// <summary>A worker made through the store, as <c>cairn workers add</c> makes one, and a client with its token.</summary>
    public async Task<(HttpClient Client, string Token)> AddWorkerAsync(string name, params string[] labels)
    {
        var (value, id, hash) = WorkerTokens.Create();
        Assert.NotNull(await Service<IWorkerStore>().AddWorkerAsync(
            new NewWorker(name, labels, id, hash, Service<TimeProvider>().GetUtcNow(), "admin"), CancellationToken.None));
        return (Client(value), value);
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add(WorkerPaths.VersionHeader, "test-1.0");
        clients.Add(client);
        return client;
    }

    public static async Task<HttpResponseMessage> AskAsync(HttpClient worker, string instance = "inst1", int slot = 1, string[]? labels = null, int wait = 20) =>
        await worker.PostAsync(WorkerPaths.Lease, JsonContent.Create(new LeaseRequest(instance, slot, labels ?? [], wait), WorkerProtocolJson.Default.LeaseRequest));

    /// <summary>Asks until a job is leased (the run's planning may take a moment); the grant.</summary>
    public static async Task<LeaseGrant> LeaseAsync(HttpClient worker, string instance = "inst1", int slot = 1)
    {
        using var answer = await AskAsync(worker, instance, slot);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        return (await answer.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.LeaseGrant))!;
    }

    public static Task<HttpResponseMessage> PostAsync<T>(HttpClient worker, string path, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        worker.PostAsync(path, JsonContent.Create(body, type));

    public static async Task<string> ProblemTypeAsync(HttpResponseMessage response)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
        Git.Dispose();
        data.Dispose();
    }
}
