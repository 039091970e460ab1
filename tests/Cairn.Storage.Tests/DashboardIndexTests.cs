using Cairn.Storage.Portable;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The dashboard's heaviest reads go through their indexes on both databases, over a store of 10,000 runs in 100
/// repositories of 5 branches each: the repositories page's latest run per branch, and a repository's failed runs.</summary>
public sealed class DashboardIndexTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    /// <summary>10,000 ended runs, in SQL both databases take.</summary>
    private const string Runs = """
        WITH RECURSIVE g (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 10000)
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        SELECT 'build', 'push', 'refs/heads/b' || (i % 5), 'abc', 'acme/r' || (i % 100),
               CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'succeeded' END, 1000, '{}', i, '[]', '{}', 1000
        FROM g;
        """;

    private const string FailedOfOneRepository =
        "SELECT id FROM runs WHERE repository = 'acme/r7' AND status = 'failed' ORDER BY id DESC LIMIT 51;";

    [Fact]
    public async Task Sqlite_ReadsTheLatestRunPerBranchAndARepositorysFailedRunsThroughTheirIndexes()
    {
        await using var scope = await OpenSqliteAsync();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString());
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Runs);
        await ExecuteAsync(connection, "ANALYZE;");

        var latest = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + RunOverviewRecords.LatestRuns);
        var failed = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + FailedOfOneRepository);

        Assert.Contains("runs_latest_by_branch", latest, StringComparison.Ordinal);
        Assert.Contains("runs_by_repository_status", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_ReadsTheLatestRunPerBranchAndARepositorysFailedRunsThroughTheirIndexes()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Runs);
        await ExecuteAsync(connection, "VACUUM ANALYZE runs;");

        var failed = await PlanAsync(connection, "EXPLAIN " + FailedOfOneRepository);
        // At 10,000 runs the whole table is a few hundred pages and PostgreSQL rightly reads it in one sweep (a few ms);
        // denied that, it must still find an index that serves the query, and that index must be this one.
        await ExecuteAsync(connection, "SET enable_seqscan = off;");
        var latest = await PlanAsync(connection, "EXPLAIN " + RunOverviewRecords.LatestRuns);

        Assert.Contains("runs_latest_by_branch", latest, StringComparison.Ordinal);
        Assert.Contains("runs_by_repository_status", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", failed, StringComparison.Ordinal);
    }
}
