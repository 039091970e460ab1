using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Storage.Postgres;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>PostgreSQL's claim walks the queued jobs' index from its start and stops at the first job, when thousands are
/// queued and the statistics were gathered while none was: the state of a queue right after a burst. A plan that sorts
/// every queued job makes each claim cost what the queue holds; one that scans runs, right while the table was small,
/// costs what the run history holds once a prepared statement keeps it; and one compiled by PostgreSQL's JIT (its
/// estimate grows with the queue) spends tens of milliseconds compiling at every claim. The plan a connection keeps for the
/// prepared claim is its generic one, made once; planning the claim anew for its parameters took longer than running it.</summary>
public sealed class PostgresClaimPlanTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private const int Queued = 2_000;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task LeaseNextJob_ReadsOneQueuedJob_WhenStatisticsSawNoneQueued(bool aRepositoryHasALimit, bool generic)
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

        var plan = await ExplainClaimAsync(connection, generic);
        TestContext.Current.SendDiagnosticMessage(plan);

        // A generic plan compares with the parameter itself, a plan made for the values with the value.
        Assert.Equal(generic, plan.Contains("retry_at <= $", StringComparison.Ordinal));

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

    [Fact]
    public async Task LeaseNextJob_IsPlannedOncePerConnection_NotAtEachClaim()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        var jobs = Enumerable.Range(1, 50).Select(i => Job($"job-{i}") with { StartsQueued = true }).ToArray();
        var run = await scope.Store.CreateRunAsync(Plan(null, jobs), Token);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await ExecuteAsync(connection, "ANALYZE jobs; ANALYZE runs; ANALYZE repositories;");

        // The store's batch, prepared as the store's connections prepare what they send often; each claim commits.
        const int Claims = 12;
        var leased = new List<long>();
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresSql.PlanClaimByIndex));
            var claim = new NpgsqlBatchCommand(PostgresSql.LeaseNextJob);
            claim.Parameters.Add(new NpgsqlParameter<Guid>("@lease", Guid.Empty));
            claim.Parameters.Add(new NpgsqlParameter<string>("@worker", "worker-1"));
            claim.Parameters.Add(new NpgsqlParameter<long>("@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            claim.Parameters.Add(new NpgsqlParameter<long>("@expires", DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()));
            claim.Parameters.Add(new NpgsqlParameter<string[]>("@labels", []));
            claim.Parameters.Add(new NpgsqlParameter<string[]>("@excluded", []));
            batch.BatchCommands.Add(claim);
            await batch.PrepareAsync(Token);
            for (var i = 0; i < Claims; i++)
            {
                ((NpgsqlParameter<Guid>)claim.Parameters["@lease"]).TypedValue = Guid.NewGuid();
                await using var reader = await batch.ExecuteReaderAsync(Token);
                await reader.NextResultAsync(Token);
                Assert.True(await reader.ReadAsync(Token));
                leased.Add(reader.GetInt64(0));
            }
        }

        // Each claim took the next job in order, and PostgreSQL planned the claim once, not for each claim's parameters.
        var expected = (await scope.Store.GetJobsAsync(run.Id, Token)).OrderBy(job => job.Id).Take(Claims).Select(job => job.Id);
        Assert.Equal(expected, leased);
        await using var plans = new NpgsqlCommand(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%WITH picked AS%'", connection);
        await using var counts = await plans.ExecuteReaderAsync(Token);
        Assert.True(await counts.ReadAsync(Token));
        Assert.Equal(0, counts.GetInt64(1));
        Assert.Equal(Claims, counts.GetInt64(0));
    }

    /// <summary>The claim's plan as it ran under the settings the store sends with it, rolled back: its lines with actual
    /// row counts, and the JIT's summary when it compiled (PostgreSQL prints that only beside the costs). With
    /// <paramref name="generic"/>, the claim is prepared and executed, as a connection that has sent it before runs it.</summary>
    private static async Task<string> ExplainClaimAsync(NpgsqlConnection connection, bool generic)
    {
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await using (var settings = new NpgsqlCommand(PostgresSql.PlanClaimByIndex, connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(Token);
        }

        var explain = "EXPLAIN (ANALYZE, TIMING OFF) " + PostgresSql.LeaseNextJob;
        if (generic)
        {
            // The statement's parameters in the order PREPARE declares them.
            string[] names = ["@lease", "@worker", "@now", "@expires", "@labels", "@excluded"];
            var numbered = names.Select((name, i) => (name, i)).Aggregate(
                PostgresSql.LeaseNextJob, (sql, p) => Regex.Replace(sql, p.name + @"\b", "$$" + (p.i + 1).ToString(CultureInfo.InvariantCulture)));
            await ExecuteAsync(connection, $"PREPARE lease_next_job (uuid, text, bigint, bigint, text[], text[]) AS {numbered}");

            // EXECUTE takes no parameters of its own statement: its arguments are written out.
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            explain = string.Create(
                CultureInfo.InvariantCulture,
                $"EXPLAIN (ANALYZE, TIMING OFF) EXECUTE lease_next_job (gen_random_uuid(), 'worker-1', {now}, {now + 300_000}, '{{}}', '{{}}')");
        }

        await using var command = new NpgsqlCommand(explain, connection, transaction);
        if (!generic)
        {
            Bind(command);
        }

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

    private static void Bind(NpgsqlCommand command)
    {
        command.Parameters.AddWithValue("@lease", Guid.NewGuid());
        command.Parameters.AddWithValue("@worker", "worker-1");
        command.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@expires", DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@labels", Array.Empty<string>());
        command.Parameters.AddWithValue("@excluded", Array.Empty<string>());
    }
}
