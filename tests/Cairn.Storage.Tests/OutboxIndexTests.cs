using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.QueryPlans;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The status delivery's claim reads only pending entries (migrations 28 on SQLite, 29 on PostgreSQL): the outbox
/// keeps every status it ever delivered, and with 20,000 of them beside a burst's 1,000 pending the claim still walks the
/// pending entries alone, in id order, and takes the oldest of each commit up to its limit. Without the index both
/// databases walked the table by id past every delivered status: SQLite's planner without statistics (Cairn never runs
/// ANALYZE), PostgreSQL's with them; and PostgreSQL's, with no statistics at all, read every pending status again for each
/// one in the check for an earlier status of its commit, which its claim now finds without a join.</summary>
public sealed partial class OutboxIndexTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private const int Delivered = 20_000;
    private const int Pending = 1_000;
    private const int Limit = 32;

    // Delivered statuses, 20 a commit, then ten pending statuses for each of 100 other commits, interleaved.
    private static string Outbox(int delivered) => $"""
        WITH RECURSIVE g (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < {delivered + Pending - 1})
        INSERT INTO status_outbox (repository, sha, state, commit_state, context, description, target_url, attempts, created_at, next_attempt_at)
        SELECT 'acme/r' || (i % 10),
            CASE WHEN i < {delivered} THEN 'delivered-' || (i / 20) ELSE 'pending-' || (i % 100) END,
            CASE WHEN i < {delivered} THEN 'delivered' ELSE 'pending' END,
            'success', 'cairn/build', 'passed', 'https://ci.example.test/runs/1', 1, 1000 + i, 1000 + i
        FROM g;
        """;

    [Fact]
    public async Task Sqlite_ClaimWalksOnlyPendingStatuses()
    {
        await using var scope = await OpenSqliteAsync();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scope.Location, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(Token);
            await ExecuteAsync(connection, Outbox(Delivered));

            var plan = await PlanAsync(connection, "EXPLAIN QUERY PLAN " + SqliteSql.Claims.ClaimStatuses, BindClaim);

            // A scan of the outbox through no index, or through one of every entry, reads the 20,000 delivered ones.
            Assert.Contains("SCAN o USING INDEX status_outbox_due", plan, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"SCAN (o|status_outbox)(\n|$)", plan);
            Assert.DoesNotContain("status_outbox_by_commit", plan, StringComparison.Ordinal);
            Assert.Matches("SEARCH earlier USING (COVERING )?INDEX status_outbox_pending", plan);
        }

        await AssertClaimsOldestOfEachCommitAsync(scope.Store, Delivered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Postgres_ClaimWalksOnlyPendingStatuses(bool analyzed)
    {
        var delivered = analyzed ? Delivered : 1_000;
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(Token);

            // Statistics that saw 20,000 delivered rows (a server that has run a while), or none at all (a new outbox's
            // first burst, 1,000 delivered, before autovacuum gets to it).
            await ExecuteAsync(connection, Outbox(delivered));
            if (analyzed)
            {
                await ExecuteAsync(connection, "ANALYZE status_outbox;");
            }

            await using var transaction = await connection.BeginTransactionAsync(Token);
            var plan = await PlanAsync(connection, "EXPLAIN (ANALYZE, TIMING OFF) " + PostgresSql.Claims.ClaimStatuses, BindClaim);
            await transaction.RollbackAsync(Token);

            // The claim reads the pending statuses once and no delivered one: no scan of the table, no walk of its
            // primary key past the delivered rows, and no join, which a planner that believes the outbox empty turned
            // into reading every pending status again for each one.
            Assert.DoesNotContain("Seq Scan on status_outbox", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("Join", plan, StringComparison.Ordinal);
            Assert.Contains("Unique", plan, StringComparison.Ordinal);
            Assert.All(
                RemovedByFilter().Matches(plan),
                removed => Assert.True(int.Parse(removed.Groups[1].Value, CultureInfo.InvariantCulture) <= Pending, plan));
        }

        await AssertClaimsOldestOfEachCommitAsync(scope.Store, delivered);
    }

    [Fact]
    public async Task Postgres_ReplicasClaimingTogether_NeverTakeOneStatusTwice_NorTwoOfOneCommit()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        var replicas = new List<ICairnStore> { scope.Store };
        for (var i = 1; i < 4; i++)
        {
            replicas.Add(await scope.OpenAnotherAsync());
        }

        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await ExecuteAsync(connection, Outbox(0));
        }

        // Four replicas claim at once, ten rounds each, delivering nothing: each commit's oldest status is claimed once,
        // by one of them, and no later status of a commit while its oldest is held.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        var rounds = await Task.WhenAll(replicas.Select((replica, r) => Task.Run(
            async () =>
            {
                var taken = new List<Cairn.Core.Forges.StatusOutboxEntry>();
                for (var round = 0; round < 10; round++)
                {
                    taken.AddRange(await replica.ClaimDueStatusesAsync($"replica-{r}", now, TimeSpan.FromMinutes(1), 8, Token));
                }

                return taken;
            },
            Token)));
        var claimed = rounds.SelectMany(taken => taken).ToList();

        Assert.Equal(Pending / 10, claimed.Count);
        Assert.Equal(claimed.Count, claimed.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, Pending / 10).Select(i => (long)i), claimed.Select(e => e.Id).Order());
    }

    // The claim as the delivery makes it: the oldest pending status of each commit, the oldest commits first, up to the
    // limit; a second claim takes the next commits', never a second status of a commit whose first is held.
    private static async Task AssertClaimsOldestOfEachCommitAsync(ICairnStore store, int delivered)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        var first = await store.ClaimDueStatusesAsync("test", now, TimeSpan.FromMinutes(1), Limit, Token);
        var second = await store.ClaimDueStatusesAsync("test", now, TimeSpan.FromMinutes(1), Limit, Token);

        Assert.Equal(Enumerable.Range(delivered + 1, Limit).Select(i => (long)i), first.Select(e => e.Id).Order());
        Assert.Equal(Enumerable.Range(0, Limit).Select(i => $"pending-{i}").Order(StringComparer.Ordinal), first.Select(e => e.Sha).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(delivered + Limit + 1, Limit).Select(i => (long)i), second.Select(e => e.Id).Order());
    }

    [GeneratedRegex(@"Rows Removed by Filter: (\d+)")]
    private static partial Regex RemovedByFilter();

    private static void BindClaim(System.Data.Common.DbCommand command) =>
        Bind(command, ("@claimant", "test"), ("@until", 2_000_000L), ("@now", 1_000_000L), ("@limit", Limit));
}
