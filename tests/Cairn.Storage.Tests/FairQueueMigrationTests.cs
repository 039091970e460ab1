using System.Data.Common;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Migration 26 gives the jobs queued before it a fair key, their queued time (or when their back-off ends), so
/// they are claimed in the order they were queued; other jobs get theirs when they are queued.</summary>
public sealed class FairQueueMigrationTests
{
    /// <summary>A running run with a job queued at 5,000, one retrying at 9,000 (queued at 4,000), one queued at 3,000 and
    /// one waiting; <paramref name="empty"/> is an empty list in the database's notation.</summary>
    private static string Jobs(string empty) => $$"""
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        VALUES ('build', 'push', 'refs/heads/main', 'abc', 'acme/widgets', 'running', 1000, '{}', 1, '[]', '{}', 1000);
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, definition, changed_at, retry_at) VALUES
            (1, 0, 'queued', 'a', '{{empty}}', '{{empty}}', 'queued', 0, '{}', 5000, NULL),
            (1, 1, 'retrying', 'b', '{{empty}}', '{{empty}}', 'queued', 1, '{}', 4000, 9000),
            (1, 2, 'oldest', 'c', '{{empty}}', '{{empty}}', 'queued', 0, '{}', 3000, NULL),
            (1, 3, 'waiting', 'd', '{{empty}}', '{{empty}}', 'waiting', 0, '{}', 2000, NULL);
        """;

    private static readonly string[] AnyLabels = [];

    private const string Keys = "SELECT coalesce(fair_key, -1) FROM jobs ORDER BY id;";

    [Fact]
    public async Task Sqlite_GivesTheJobsQueuedBeforeIt_TheirQueuedTime()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("before.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, [.. SqliteMigrations.All.Where(m => m.Version < 26)], new ManualTimeProvider(), Token);
            await ExecuteAsync(connection, Jobs("[]"));
            await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All, new ManualTimeProvider(), Token);
            Assert.Equal([5000L, 9000L, 3000L, -1L], await ColumnAsync(connection, Keys));
        }

        await using var scope = await OpenSqliteAsync(path);
        scope.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["oldest", "queued", "retrying"], await LeaseAllAsync(scope));
    }

    [PostgresFact]
    public async Task Postgres_GivesTheJobsQueuedBeforeIt_TheirQueuedTime()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(connection, "test", [.. PostgresMigrations.All.Where(m => m.Version < 26)], new ManualTimeProvider(), Token);
            await ExecuteAsync(connection, Jobs("{}"));
            await PostgresSchema.MigrateAsync(connection, "test", PostgresMigrations.All, new ManualTimeProvider(), Token);
            Assert.Equal([5000L, 9000L, 3000L, -1L], await ColumnAsync(connection, Keys));
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);
        scope.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["oldest", "queued", "retrying"], await LeaseAllAsync(scope));
    }

    private static async Task<List<string>> LeaseAllAsync(StoreScope scope)
    {
        var order = new List<string>();
        while (await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token) is { } lease)
        {
            order.Add(lease.Job.Name);
        }

        return order;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Token);
    }

    private static async Task<List<long>> ColumnAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Token);
        var values = new List<long>();
        while (await reader.ReadAsync(Token))
        {
            values.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }
}
