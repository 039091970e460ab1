using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cairn.Storage.Tests;

/// <summary>A store on an empty database (a SQLite file in a temp directory, or a PostgreSQL database emptied for the test),
/// with a clock the test moves and a side door for looking at rows.</summary>
public sealed class StoreScope : IAsyncDisposable
{
    private readonly Func<TimeProvider, Task<ICairnStore>> _open;
    private readonly Func<string, object?> _query;
    private readonly IDisposable? _owned;
    private readonly List<ICairnStore> _stores = [];

    private StoreScope(string location, Func<TimeProvider, Task<ICairnStore>> open, Func<string, object?> query, IDisposable? owned)
    {
        Location = location;
        _open = open;
        _query = query;
        _owned = owned;
    }

    public static TimeSpan LeaseDuration { get; } = TimeSpan.FromSeconds(30);

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public ManualTimeProvider Time { get; } = new();

    public ICairnStore Store => _stores[0];

    /// <summary>The SQLite file's path, or the PostgreSQL connection string.</summary>
    public string Location { get; }

    /// <summary>Records hold lists, which compare by reference; this compares them by content.</summary>
    public static IEqualityComparer<JobRecord?> JobComparer { get; } = EqualityComparer<JobRecord?>.Create(
        (a, b) => a is null || b is null
            ? a is null && b is null
            : a with { Needs = [], Labels = [] } == b with { Needs = [], Labels = [] } && a.Needs.SequenceEqual(b.Needs) && a.Labels.SequenceEqual(b.Labels),
        j => j?.Id.GetHashCode() ?? 0);

    /// <summary>Runs hold a list and a trigger (with a dictionary), which compare by reference; this compares them by content.</summary>
    public static IEqualityComparer<RunRecord?> RunComparer { get; } = EqualityComparer<RunRecord?>.Create(
        (a, b) => a is null || b is null
            ? a is null && b is null
            : a with { Errors = [], Trigger = null } == b with { Errors = [], Trigger = null }
                && a.Errors.SequenceEqual(b.Errors)
                && TriggerJson(a.Trigger) == TriggerJson(b.Trigger),
        r => r?.Id.GetHashCode() ?? 0);

    /// <summary>Opens a store on a new SQLite file, or on <paramref name="existing"/> (a file the test prepared, in a
    /// directory it owns).</summary>
    public static async Task<StoreScope> OpenSqliteAsync(string? existing = null)
    {
        var directory = existing is null ? new TempDirectory() : null;
        var path = existing ?? directory!.Combine("cairn.db");
        var scope = new StoreScope(
            path,
            async time => await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = path, LeaseDuration = LeaseDuration }, time, Token),
            sql => QuerySqlite(path, sql),
            directory);
        await scope.OpenAnotherAsync();
        return scope;
    }

    /// <summary>Opens a store on the database (migrating it if new), then empties every table and restarts the ids, unless
    /// told to keep what is there.</summary>
    public static async Task<StoreScope> OpenPostgresAsync(string connectionString, bool empty = true)
    {
        var scope = new StoreScope(
            connectionString,
            async time => await PostgresRunStore.OpenAsync(
                new PostgresStoreOptions { ConnectionString = connectionString, LeaseDuration = LeaseDuration }, time, Token),
            sql => QueryPostgres(connectionString, sql),
            owned: null);
        await scope.OpenAnotherAsync();
        if (!empty)
        {
            return scope;
        }

        scope.Query("""
            TRUNCATE log_blocks, log_chunks, log_unindexed_chunks, steps, jobs, runs, run_numbers, run_changes,
                repositories, event_journal, status_outbox, schedules, settings, secrets, secret_audit,
                job_attempts, dashboard_keys, users, repository_members, team_grants, api_tokens, workers,
                trackers, tracker_comments, tracker_runs, agent_sessions, pull_requests, gates, approvals,
                artifact_files, artifact_sets, cache_entries, blob_deletions RESTART IDENTITY
            """);
        return scope;
    }

    /// <summary>Another store instance on the same database, as a second process would have.</summary>
    public async Task<ICairnStore> OpenAnotherAsync()
    {
        var store = await _open(Time);
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

    private static string? TriggerJson(TriggerEvent? trigger) => trigger is null ? null : TriggerEventJson.Serialize(trigger);

    /// <summary>Runs one scalar query on its own unpooled connection, beside the store.</summary>
    public long Scalar(string sql) => Convert.ToInt64(Query(sql), System.Globalization.CultureInfo.InvariantCulture);

    public string Text(string sql) => (string)Query(sql)!;

    public object? Query(string sql) => _query(sql);

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _owned?.Dispose();
    }

    private static object? QuerySqlite(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static object? QueryPostgres(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }
}
