using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Tests;

/// <summary>A store on a fresh database file in a temp directory, with a clock the test moves.</summary>
internal sealed class StoreScope : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<SqliteRunStore> _stores = [];

    private StoreScope()
    {
    }

    public static TimeSpan LeaseDuration { get; } = TimeSpan.FromSeconds(30);

    public ManualTimeProvider Time { get; } = new();

    public SqliteRunStore Store => _stores[0];

    public string DatabasePath => _directory.Combine("cairn.db");

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<StoreScope> OpenAsync()
    {
        var scope = new StoreScope();
        await scope.OpenAnotherAsync();
        return scope;
    }

    /// <summary>Another store instance on the same file, as a second process would have.</summary>
    public async Task<SqliteRunStore> OpenAnotherAsync()
    {
        var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath, LeaseDuration = LeaseDuration }, Time, Token);
        _stores.Add(store);
        return store;
    }

    public async Task<RunRecord> CreateRunAsync(params PlannedJob[] jobs) =>
        await Store.CreateRunAsync(Plan(null, jobs), Token);

    /// <summary>Creates a run of <paramref name="count"/> label-less jobs and queues them all; returns their ids.</summary>
    public async Task<List<long>> QueueJobsAsync(int count)
    {
        var run = await CreateRunAsync([.. Enumerable.Range(1, count).Select(i => Job($"job-{i}"))]);
        var jobs = await Store.GetJobsAsync(run.Id, Token);
        foreach (var job in jobs)
        {
            Assert.True(await Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(Time), Token));
        }

        return [.. jobs.Select(j => j.Id)];
    }

    public static RunPlan Plan(string? idempotencyKey, params PlannedJob[] jobs) => new(
        "build",
        new TriggerEvent(
            TriggerKind.Push, "acme/widgets", "refs/heads/main", "abc123", new Dictionary<string, string> { ["mode"] = "fast" }, idempotencyKey),
        jobs);

    public static PlannedJob Job(string name, params string[] labels) =>
        new(name, $"key-{name}", [], labels, $$"""{"name":"{{name}}"}""");

    /// <summary>Runs one scalar query on its own unpooled connection, beside the store.</summary>
    public long Scalar(string sql) => (long)Query(sql);

    public string Text(string sql) => (string)Query(sql);

    private object Query(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _directory.Dispose();
    }
}
