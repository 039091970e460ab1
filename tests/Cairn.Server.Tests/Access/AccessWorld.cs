using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Cairn.Core.Access;
using Cairn.Core.Repositories;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Authorization;

/// <summary>Who calls, in the access tests: how they present themselves and, when signed in, their role on the server
/// and on each repository of <see cref="AccessWorld"/> (null: they may not see it).</summary>
public sealed record Who(string Name, string? Token, bool Refused, Role? Global, Role? App, Role? Site, Role? Deep)
{
    /// <summary>A worker's token: no user, no role; it passes only the worker calls' rule.</summary>
    public bool IsWorker { get; init; }

    public bool SignedIn => Token is not null && !Refused && !IsWorker;

    public Role? On(string repository) => repository switch
    {
        AccessWorld.App => App,
        AccessWorld.Site => Site,
        AccessWorld.Deep => Deep,
        _ => throw new ArgumentOutOfRangeException(nameof(repository), repository, "not a repository of the world"),
    };

    public override string ToString() => Name;
}

/// <summary>A real server with a private repository (<see cref="App"/>), a public one (<see cref="Site"/>) and one with
/// subgroups (<see cref="Deep"/>), an ended run and a job of each, a secret of each and a global one; and a caller of
/// every kind: no token, refused tokens (expired, revoked, of a removed user), each role, a maintainer of one
/// repository only, a user with no role, an admin's API token, the admin token, an admin's read-only token, a worker's
/// token and a removed worker's. Users, grants, tokens and workers are made through the store's ports.</summary>
public sealed class AccessWorld : IAsyncLifetime
{
    public const string App = "acme/app";
    public const string Site = "acme/site";
    public const string Deep = "group/sub/proj";
    public const string Secret = "DEPLOY_KEY";
    public const string LogLine = "hello-from-the-job";

    private readonly TempDirectory data = new();
    private readonly GitRepository git = new();
    private int nextAddress;

    public ServerHarness Server { get; private set; } = null!;

    public IReadOnlyDictionary<string, (long Run, long Job)> Runs { get; private set; } = null!;

    public IReadOnlyList<Who> Callers { get; private set; } = [];

    public Who Caller(string name) => Callers.Single(c => c.Name == name);

    public T Service<T>() where T : notnull => Server.Services.GetRequiredService<T>();

    public async ValueTask InitializeAsync()
    {
        Server = await ServerHarness.StartAsync(data.Path);
        git.Commit($"name: ci\non: {{ manual: {{}} }}\njobs:\n  a:\n    steps: [{{ run: 'echo {LogLine}' }}]\n");
        await Server.AddRepositoryAsync(App, "github", git.CloneUrl, "https://api.github.com", "hook-secret");
        await Server.AddRepositoryAsync(Site, "github", git.CloneUrl, "https://api.github.com", "hook-secret");
        await Server.AddRepositoryAsync(Deep, "gitlab", git.CloneUrl, "https://gitlab.example.invalid/api/v4", "hook-secret");
        Assert.NotNull(await Service<IRepositoryStore>().UpdateRepositoryAsync(Site, new RepositorySettingsChange(Public: true), CancellationToken.None));

        var runs = new Dictionary<string, (long, long)>();
        foreach (var repository in new[] { App, Site, Deep })
        {
            var created = await Server.Client.PostAsJsonAsync($"/api/v1/repos/{repository}/runs", new { @ref = "main" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            var run = await Server.WaitForRunAsync((await created.Content.ReadFromJsonAsync<RunView>())!.Id);
            Assert.Equal("succeeded", run.Status);
            runs[repository] = (run.Id, run.Jobs!.Single().Id);
            var secret = await Server.Client.PutAsJsonAsync($"/api/v1/repos/{repository}/secrets/{Secret}", new { value = "s3cret-value" });
            Assert.True(secret.IsSuccessStatusCode, await secret.Content.ReadAsStringAsync());
        }

        Assert.True((await Server.Client.PutAsJsonAsync($"/api/v1/secrets/{Secret}", new { value = "global-value" })).IsSuccessStatusCode);
        Runs = runs;

        var all = TokenScope.Read | TokenScope.Trigger | TokenScope.Admin;
        var now = Service<TimeProvider>().GetUtcNow();
        var viewer = await UserAsync("vera", Role.Viewer);
        var developer = await UserAsync("dev", Role.Developer);
        var maintainer = await UserAsync("maya", null);
        var nobody = await UserAsync("nemo", null);
        var admin = await UserAsync("ada", Role.Admin);
        var removed = await UserAsync("gone", Role.Admin);
        Assert.True(await Service<IMemberStore>().SetMemberAsync(App, maintainer.Name, Role.Maintainer, CancellationToken.None));

        var expired = await TokenAsync(admin, all, now - TimeSpan.FromDays(2), TimeSpan.FromDays(1));
        var revoked = await TokenAsync(admin, all);
        var removedToken = await TokenAsync(removed, all);
        var store = Service<IApiTokenStore>();
        Assert.True(await store.RevokeApiTokenAsync(ApiTokens.TryParse(revoked, out var id, out _) ? id : "", now, CancellationToken.None));
        Assert.True(await Service<IUserStore>().DeleteUserAsync(removed.Name, now, CancellationToken.None));

        Callers =
        [
            new("no token", null, false, null, null, Role.Viewer, null),
            new("expired token", expired, true, null, null, null, null),
            new("revoked token", revoked, true, null, null, null, null),
            new("removed user", removedToken, true, null, null, null, null),
            new("viewer", await TokenAsync(viewer, all), false, Role.Viewer, Role.Viewer, Role.Viewer, Role.Viewer),
            new("developer", await TokenAsync(developer, all), false, Role.Developer, Role.Developer, Role.Developer, Role.Developer),
            new("maintainer of acme/app", await TokenAsync(maintainer, all), false, null, Role.Maintainer, Role.Viewer, null),
            new("no role", await TokenAsync(nobody, all), false, null, null, Role.Viewer, null),
            new("read-only admin", await TokenAsync(admin, TokenScope.Read), false, Role.Viewer, Role.Viewer, Role.Viewer, Role.Viewer),
            new("admin", await TokenAsync(admin, all), false, Role.Admin, Role.Admin, Role.Admin, Role.Admin),
            new("admin token", Server.Token, false, Role.Admin, Role.Admin, Role.Admin, Role.Admin),
            new("worker", await WorkerAsync("builder", remove: false), false, null, null, null, null) { IsWorker = true },
            new("removed worker", await WorkerAsync("gone-builder", remove: true), true, null, null, null, null),
        ];
    }

    public async Task<UserRecord> UserAsync(string name, Role? role)
    {
        var at = Service<TimeProvider>().GetUtcNow();
        var user = await Service<IUserStore>().CreateUserAsync(new NewUser(name, $"{name}@example.invalid", role, UserSource.Local, at), CancellationToken.None);
        Assert.NotNull(user);
        return user;
    }

    /// <summary>A worker's token, made through the store as <c>cairn workers add</c> would; the worker removed again when
    /// <paramref name="remove"/>.</summary>
    public async Task<string> WorkerAsync(string name, bool remove)
    {
        var (value, id, hash) = Core.Workers.WorkerTokens.Create();
        var workers = Service<Core.Workers.IWorkerStore>();
        Assert.NotNull(await workers.AddWorkerAsync(
            new Core.Workers.NewWorker(name, [], id, hash, Service<TimeProvider>().GetUtcNow(), "ada"), CancellationToken.None));
        Assert.True(!remove || await workers.RemoveWorkerAsync(name, CancellationToken.None));
        return value;
    }

    /// <summary>An API token of <paramref name="user"/>'s, made through the store as the API would.</summary>
    public async Task<string> TokenAsync(UserRecord user, TokenScope scopes, DateTimeOffset? at = null, TimeSpan? lifetime = null)
    {
        var (value, token) = ApiTokens.Create(user.Id, $"{user.Name}-{scopes}-{Guid.NewGuid():N}", scopes, at ?? Service<TimeProvider>().GetUtcNow(), lifetime);
        Assert.NotNull(await Service<IApiTokenStore>().CreateApiTokenAsync(token, CancellationToken.None));
        return value;
    }

    /// <summary>A client for <paramref name="who"/>. A refused token counts against its client's address, so each
    /// refused caller's client comes from an address of its own in 127.0.0.0/8: the table can then send every endpoint a
    /// refused token without the limit on failures answering in the gate's place.</summary>
    public HttpClient Client(Who who, bool followRedirects = false)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects, UseCookies = false };
        if (who.Refused)
        {
            var n = Interlocked.Increment(ref nextAddress);
            var local = new IPAddress([127, 1, (byte)(n / 250), (byte)(2 + (n % 250))]);
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(60) };
        if (who.Token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        git.Dispose();
        data.Dispose();
    }
}
