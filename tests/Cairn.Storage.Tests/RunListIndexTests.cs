using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The runs list filtered by a branch or by an event alone reads through an index on both databases, so that a
/// branch or an event few of 10,000 runs have is not looked for by walking the whole table.</summary>
public sealed class RunListIndexTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    /// <summary>10,000 ended push runs on 5 branches and one scheduled run on another, in SQL both databases take.</summary>
    private const string Runs = """
        WITH RECURSIVE g (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 10000)
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        SELECT 'build', 'push', 'refs/heads/b' || (i % 5), 'abc', 'acme/r' || (i % 100), 'succeeded', 1000, '{}', i, '[]', '{}', 1000
        FROM g;
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        VALUES ('nightly', 'schedule', 'refs/heads/nightly', 'abc', 'acme/r1', 'succeeded', 1000, '{}', 10001, '[]', '{}', 1000);
        """;

    // As RunRecords.ListRunsAsync writes them for ?branch= and ?event=.
    private const string OfBranch = "SELECT id FROM runs WHERE ref = 'refs/heads/nightly' ORDER BY id DESC LIMIT 51;";
    private const string OfEvent = "SELECT id FROM runs WHERE event = 'schedule' ORDER BY id DESC LIMIT 51;";

    [Fact]
    public async Task Sqlite_ReadsTheRunsOfOneBranchOrOneEventThroughTheirIndexes()
    {
        await using var scope = await OpenSqliteAsync();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString());
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Runs);
        await ExecuteAsync(connection, "ANALYZE;");

        var branch = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + OfBranch);
        var trigger = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + OfEvent);

        Assert.Contains("runs_by_ref", branch, StringComparison.Ordinal);
        Assert.Contains("runs_by_event", trigger, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", branch + trigger, StringComparison.Ordinal);
        Assert.Equal(10001L, await ScalarAsync(connection, OfEvent));
    }

    [Fact]
    public async Task Postgres_ReadsTheRunsOfOneBranchOrOneEventThroughTheirIndexes()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Runs);
        await ExecuteAsync(connection, "VACUUM ANALYZE runs;");

        var branch = await PlanAsync(connection, "EXPLAIN " + OfBranch);
        var trigger = await PlanAsync(connection, "EXPLAIN " + OfEvent);

        Assert.Contains("runs_by_ref", branch, StringComparison.Ordinal);
        Assert.Contains("runs_by_event", trigger, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", branch + trigger, StringComparison.Ordinal);
        Assert.Equal(10001L, await ScalarAsync(connection, OfEvent));
    }
}
