using System.Data.Common;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The claim walks the queued jobs through jobs_queued_fairly (priority, fair key, id) on both databases and
/// sorts nothing, so with 20,000 jobs queued it still stops at the first one that fits.</summary>
public sealed class FairQueueIndexTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    /// <summary>1,000 running runs of 20 queued jobs each, in SQL both databases take; <paramref name="empty"/> is an empty
    /// list in the database's notation.</summary>
    private static string QueuedJobs(string empty) => $$"""
        WITH RECURSIVE g (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000)
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        SELECT 'build', 'push', 'refs/heads/main', 'abc', 'acme/r' || (i % 10), 'running', 1000 + i, '{}', i, '[]', '{}', 1000 + i
        FROM g;
        WITH RECURSIVE g (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < 19999)
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, definition, changed_at, priority, fair_key)
        SELECT 1 + i / 20, i % 20, 'job-' || (i % 20), 'job-' || (i % 20), '{{empty}}', '{{empty}}', 'queued', 0, '{}', 1000 + i / 20, 1, 1000 + i / 20 + (i % 20) * 1000
        FROM g;
        """;

    [Fact]
    public async Task Sqlite_ClaimsThroughTheFairIndex_WithoutSorting()
    {
        await using var scope = await OpenSqliteAsync();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString());
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, QueuedJobs("[]"));
        await ExecuteAsync(connection, "ANALYZE;");

        var plan = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + SqliteSql.NextJob, command => Bind(command, ("@now", 1L << 40), ("@labels", "[]")));

        Assert.Contains("jobs_queued_fairly", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_ClaimsThroughTheFairIndex_WithoutSorting()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, QueuedJobs("{}"));
        await ExecuteAsync(connection, "VACUUM ANALYZE jobs;");
        await ExecuteAsync(connection, "VACUUM ANALYZE runs;");

        var plan = await PlanAsync(connection, "EXPLAIN " + PostgresSql.LeaseNextJob, command => Bind(
            command,
            ("@now", 1L << 40),
            ("@labels", Array.Empty<string>()),
            ("@excluded", Array.Empty<string>()),
            ("@lease", Guid.NewGuid()),
            ("@worker", "worker-1"),
            ("@expires", 1L << 41)));

        Assert.Contains("jobs_queued_fairly", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on jobs", plan, StringComparison.Ordinal);
    }
}
