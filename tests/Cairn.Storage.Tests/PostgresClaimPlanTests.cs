using Cairn.Storage.Postgres;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>PostgreSQL's claim walks the queued jobs' index from its start and stops at the first job, when thousands are
/// queued and the statistics were gathered while none was: the state of a queue right after a burst. A plan that sorts
/// every queued job makes each claim cost what the queue holds; one that scans runs, right while the table was small,
/// costs what the run history holds once a prepared statement keeps it; and one compiled by PostgreSQL's JIT (its
/// estimate grows with the queue) spends tens of milliseconds compiling at every claim.</summary>
public sealed class PostgresClaimPlanTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private const int Queued = 2_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LeaseNextJob_ReadsOneQueuedJob_WhenStatisticsSawNoneQueued(bool aRepositoryHasALimit)
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, "ANALYZE jobs; ANALYZE runs; ANALYZE repositories;");

        // Any statement costs enough for the JIT on this connection, unless the claim's settings turn it off.
        await ExecuteAsync(connection, "SET jit_above_cost = 0; SET jit_inline_above_cost = -1; SET jit_optimize_above_cost = -1;");
        if (aRepositoryHasALimit)
        {
            await ExecuteAsync(connection, """
                INSERT INTO repositories (name_key, name, forge, clone_url, api_url, default_branch, created_at, max_running_jobs)
                VALUES ('acme/limited', 'acme/limited', 'github', 'https://example.test/acme/limited.git', 'https://example.test/api', 'main', 0, 2);
                """);
        }

        var jobs = Enumerable.Range(1, Queued).Select(i => Job($"job-{i}") with { StartsQueued = true }).ToArray();
        var run = await scope.Store.CreateRunAsync(Plan(null, jobs), Token);

        var plan = await ExplainClaimAsync(connection);

        Assert.Contains("Index Scan using jobs_queued_fairly on jobs j", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Bitmap", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("JIT", plan, StringComparison.Ordinal);
        var walk = plan.Split('\n').Single(line => line.Contains("on jobs j ", StringComparison.Ordinal));
        Assert.Contains("rows=1 loops=1", walk, StringComparison.Ordinal);
        var first = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        Assert.Equal(first.Id, (await scope.Store.TryLeaseAsync("worker-1", [], Token))!.JobId);
    }

    /// <summary>The claim's plan as it ran under the settings the store sends with it, rolled back: its lines with actual
    /// row counts, and the JIT's summary when it compiled (PostgreSQL prints that only beside the costs).</summary>
    private static async Task<string> ExplainClaimAsync(NpgsqlConnection connection)
    {
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await using (var settings = new NpgsqlCommand(PostgresSql.PlanClaimByIndex, connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(Token);
        }

        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, TIMING OFF) " + PostgresSql.LeaseNextJob, connection, transaction);
        command.Parameters.AddWithValue("@lease", Guid.NewGuid());
        command.Parameters.AddWithValue("@worker", "worker-1");
        command.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@expires", DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@labels", Array.Empty<string>());
        command.Parameters.AddWithValue("@excluded", Array.Empty<string>());
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Token))
        {
            while (await reader.ReadAsync(Token))
            {
                lines.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync(Token);
        return string.Join('\n', lines);
    }
}
