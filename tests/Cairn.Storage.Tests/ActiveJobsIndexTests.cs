using System.Data.Common;
using Cairn.Storage.Portable;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Jobs are indexed by status only while they have not ended (migrations 27 on SQLite, 28 on PostgreSQL): with
/// 20,000 ended jobs beside a few waiting, queued and running ones, every statement that looks jobs up by status still
/// reads only the jobs not ended, through a partial index, and reads no ended job.</summary>
public sealed class ActiveJobsIndexTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    /// <summary>1,000 runs of 20 jobs: the first 990 runs ended, the last ten with a job waiting, one queued and one running
    /// each; <paramref name="empty"/> is an empty list in the database's notation.</summary>
    private static string Jobs(string empty) => $$"""
        WITH RECURSIVE g (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000)
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        SELECT 'build', 'push', 'refs/heads/main', 'abc', 'acme/r' || (i % 10), CASE WHEN i > 990 THEN 'running' ELSE 'succeeded' END,
            1000 + i, '{}', i, '[]', '{}', 1000 + i
        FROM g;
        WITH RECURSIVE g (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < 19999)
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, definition, changed_at, priority, fair_key,
            lease_owner, lease_expires_at)
        SELECT 1 + i / 20, i % 20, 'job-' || (i % 20), 'job-' || (i % 20), '{{empty}}', '{{empty}}',
            CASE WHEN i < 19800 THEN 'succeeded' WHEN i % 20 = 0 THEN 'running' WHEN i % 20 = 1 THEN 'queued' ELSE 'waiting' END,
            1, '{}', 1000 + i / 20, 1, CASE WHEN i % 20 = 1 THEN 5000 END,
            CASE WHEN i >= 19800 AND i % 20 = 0 THEN 'host/worker-1' END, CASE WHEN i >= 19800 AND i % 20 = 0 THEN 9000 END
        FROM g;
        """;

    [Fact]
    public async Task Sqlite_LooksJobsUpByStatusWithoutReadingEndedJobs()
    {
        await using var scope = await OpenSqliteAsync();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString());
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Jobs("[]"));
        await ExecuteAsync(connection, "ANALYZE;");

        foreach (var (name, sql) in Named())
        {
            var plan = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + sql, BindAll);

            // A scan of jobs through no index, or through one that holds every job, reads the 19,800 ended jobs.
            Assert.DoesNotMatch(@"SCAN (jobs|j|b|busy|serving|running|waiting)(\n|$| USING COVERING INDEX sqlite_autoindex)", plan);
            Assert.DoesNotContain("jobs_by_status", plan, StringComparison.Ordinal);
            Assert.True(plan.Contains("jobs_", StringComparison.Ordinal) || plan.Contains("PRIMARY KEY", StringComparison.Ordinal), $"{name}: {plan}");
        }

        var indexes = await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('jobs_by_status', 'jobs_by_status_lease')");
        Assert.Equal(0, indexes);
    }

    [Fact]
    public async Task Postgres_LooksJobsUpByStatusWithoutReadingEndedJobs()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, Jobs("{}"));
        await ExecuteAsync(connection, "VACUUM ANALYZE jobs;");
        await ExecuteAsync(connection, "VACUUM ANALYZE runs;");

        foreach (var (name, sql) in Named())
        {
            var plan = await PlanAsync(connection, "EXPLAIN " + sql, BindAll);
            Assert.DoesNotContain("Seq Scan on jobs", plan, StringComparison.Ordinal);
            Assert.True(plan.Contains("jobs_", StringComparison.Ordinal), $"{name}: {plan}");
        }

        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM pg_indexes WHERE tablename = 'jobs' AND indexname = 'jobs_queued'"));
    }

    [Fact]
    public async Task Sqlite_CountsJobsNotEndedByStatusAndReason()
    {
        await using var scope = await OpenSqliteAsync();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(Token);
            await ExecuteAsync(connection, Jobs("[]"));
        }

        var counts = await ((Cairn.Core.Telemetry.IOperationalCounts)scope.Store).CountOperationsAsync(DateTimeOffset.FromUnixTimeMilliseconds(1), DateTimeOffset.FromUnixTimeMilliseconds(1), Token);

        Assert.Equal(180, counts.Jobs["waiting"]);
        Assert.Equal(10, counts.Jobs["queued"]);
        Assert.Equal(10, counts.Jobs["running"]);
        Assert.Equal(180, counts.Waiting["needs"]);
        Assert.Equal(10, counts.Waiting["labels"]);
    }

    private static IEnumerable<(string Name, string Sql)> Named() =>
    [
        (nameof(OperationalCountRecords.Counts), OperationalCountRecords.Counts),
        (nameof(PortableSql.ExpiredLeases), PortableSql.ExpiredLeases),
        (nameof(FairOrder.ReadStanding), FairOrder.ReadStanding),
        ("LeaseOfOwner", LeaseLookup.LeaseOfOwner),
    ];

    private static void BindAll(DbCommand command) =>
        Bind(command, ("@now", 1L), ("@seen", 1L), ("@limit", 10L), ("@owner", "host/worker-1"), ("@at", 1L));
}
