using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Engine;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Secrets;
using Cairn.Core.Settings;
using Cairn.Server.Hosting;
using Cairn.Storage;
using Cairn.Storage.Sqlite;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cairn.Server.Tests;

/// <summary>How the server is put together: the store behind every port, the builder of workers, the order its
/// background services start in, and the admin token's answer.</summary>
public sealed class CompositionTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private SqliteRunStore store = null!;

    public async ValueTask InitializeAsync() =>
        store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = data.Combine("runs.db") }, TimeProvider.System, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Every_store_port_is_the_one_store_and_the_container_does_not_dispose_it()
    {
        var services = new ServiceCollection().AddCairnStore(store);
        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Same(store, provider.GetRequiredService<ICairnStore>());
            Assert.Same(store, provider.GetRequiredService<IRunStore>());
            Assert.Same(store, provider.GetRequiredService<IJobQueue>());
            Assert.Same(store, provider.GetRequiredService<IRepositoryStore>());
            Assert.Same(store, provider.GetRequiredService<IEventJournal>());
            Assert.Same(store, provider.GetRequiredService<IStatusOutbox>());
            Assert.Same(store, provider.GetRequiredService<IScheduleStore>());
            Assert.Same(store, provider.GetRequiredService<ISettingStore>());
            Assert.Same(store, provider.GetRequiredService<ISecretStore>());
            Assert.Same(store, provider.GetRequiredService<IAuditLog>());
            Assert.Same(store, provider.GetRequiredService<IRunFeeds>());
            Assert.Same(store, provider.GetRequiredService<IRunRetention>());
        }

        // The server disposes its store once, after it stopped; a container that did it too would close it under a
        // replica still stopping.
        Assert.Null(await store.GetRunAsync(1, CancellationToken.None));
    }

    [Fact]
    public void Built_workers_lease_from_and_record_in_the_one_store_with_a_coordinator_of_their_own()
    {
        var time = new ManualTimeProvider();
        var workspaces = new ScratchWorkspaceProvider(data.Combine("work"));

        var built = Builder(workspaces, time).Build(store);

        Assert.Same(store, built.Queue);
        Assert.Same(store, built.Store);
        Assert.NotNull(built.Coordinator);
        Assert.Same(workspaces, built.Workspaces);
        Assert.Same(InMemorySecretSource.Empty, built.Secrets);
        Assert.Same(NullRunObserver.Instance, built.Observer);
        Assert.Same(time, built.Time);
        Assert.NotNull(built.Retry);
    }

    [Fact]
    public void A_coordinator_the_host_shares_is_the_one_its_workers_use()
    {
        var shared = new RunCoordinator(store, TimeProvider.System);

        var first = (Builder(new ScratchWorkspaceProvider(data.Combine("work")), TimeProvider.System) with { Coordinator = shared }).Build(store);
        var own = Builder(new ScratchWorkspaceProvider(data.Combine("work")), TimeProvider.System).Build(store);

        Assert.Same(shared, first.Coordinator);
        Assert.NotSame(shared, own.Coordinator);
    }

    [Fact]
    public async Task The_server_starts_its_workers_first_then_its_loops_in_order()
    {
        using var serverData = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(serverData.Path);

        var started = server.Services.GetServices<IHostedService>()
            .Select(s => s.GetType())
            .Where(t => t.Namespace?.StartsWith("Cairn.", StringComparison.Ordinal) == true)
            .Select(t => t.Name)
            .ToList();

        Assert.Equal(["WorkerPoolService", "EventPlanner", "StatusProjector", "StatusOutboxDelivery", "Scheduler", "ChangeWatch", "RetentionService", "GateDeadlines"], started);
    }

    [Fact]
    public async Task An_api_call_without_the_admin_token_is_told_how_to_send_it()
    {
        using var serverData = new TempDirectory();
        await using var server = await ServerHarness.StartAsync(serverData.Path);
        using var wrong = new HttpClient { BaseAddress = new Uri(server.Url) };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "cairn_guess");

        var none = await server.Anonymous.GetAsync("/api/v1/runs");
        var guessed = await wrong.GetAsync("/api/v1/runs");
        var open = await server.Anonymous.GetAsync("/runs/1");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(Access.AccessGate.SignInFirst, (await none.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        Assert.Equal(Access.AccessGate.TokenRefused, (await guessed.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    private static JobWorkerContextBuilder Builder(IWorkspaceProvider workspaces, TimeProvider time) => new()
    {
        Executors = new SingleExecutorResolver(new Executors.Fake.FakeExecutor(time)),
        Workspaces = workspaces,
        Secrets = InMemorySecretSource.Empty,
        Time = time,
    };
}
