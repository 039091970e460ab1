using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Cairn.Storage.Postgres;
using Npgsql;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>PostgreSQL keeps a job's log in chunks of consecutive lines (migration 27), indexed from a queue: the lines of a
/// row each read back as they were, and instances that index at the same time never index a chunk twice or leave one.</summary>
public sealed class PostgresLogChunkTests
{
    [PostgresFact]
    public async Task LinesStoredARowEach_ReadBackExactly_AfterTheyBecomeChunks()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var lines = Enumerable.Range(1, 100).Concat(Enumerable.Range(103, 48))
            .Select(seq => new StoredLogLine(seq, seq / 40, (LogStream)(seq % 3), at.AddMilliseconds(seq), seq switch
            {
                10 => "error: the gizmo broke (first)",
                120 => "error: the gizmo broke (after the gap)",
                _ => $"line {seq}: \"quoted\" \\ \u001b[1mbold\u001b[0m\t漢字 💥",
            }))
            .ToList();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(
                connection, "test", PostgresMigrations.All.Where(m => m.Version <= 25).ToList(), new ManualTimeProvider(), Token);
            await ExecuteAsync(connection, """
                INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, idempotency_key, inputs, number, changed_at) VALUES
                    ('build', 'push', 'refs/heads/main', 'aaa', 'acme/widgets', 'failed', 1000, NULL, '{}', 1, 1000);
                INSERT INTO jobs (run_id, ordinal, name, key, status, definition, changed_at) VALUES (1, 0, 'build', 'build', 'failed', '{}', 1000);
                """);
            await using var insert = new NpgsqlCommand("""
                WITH inserted AS (
                    INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text)
                    SELECT 1, * FROM unnest(@seqs::bigint[], @steps::int[], @streams::text[], @stamps::bigint[], @texts::text[]))
                INSERT INTO log_blocks (job_id, first_seq, last_seq, text)
                SELECT 1, min(seq), max(seq), lower(string_agg(text, E'\n' ORDER BY seq))
                FROM unnest(@seqs::bigint[], @texts::text[]) AS l (seq, text) GROUP BY (seq - 1) / 64
                """, connection);
            insert.Parameters.AddWithValue("@seqs", lines.Select(l => l.Sequence).ToArray());
            insert.Parameters.AddWithValue("@steps", lines.Select(l => l.StepIndex).ToArray());
            insert.Parameters.AddWithValue("@streams", lines.Select(l => RecordRows.StreamWire(l.Stream)).ToArray());
            insert.Parameters.AddWithValue("@stamps", lines.Select(l => l.Timestamp.ToUnixTimeMilliseconds()).ToArray());
            insert.Parameters.AddWithValue("@texts", lines.Select(l => l.Text).ToArray());
            await insert.ExecuteNonQueryAsync(Token);
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);

        Assert.Equal(lines, await scope.Store.ReadLogAsync(1, 0, 1_000, Token));
        Assert.Equal(lines.Skip(99).Take(3), await scope.Store.ReadLogAsync(1, 99, 3, Token));
        Assert.Equal(lines.Where(l => l.StepIndex == 2), await scope.Store.ReadStepLogAsync(1, 2, 0, 1_000, Token));
        Assert.Equal(150, await scope.Store.GetLastLogSequenceAsync(1, Token));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_chunks WHERE first_seq <= 100 AND last_seq >= 103"));
        Assert.Equal(148, scope.Scalar("SELECT count(*) FROM log_lines WHERE job_id = 1"));
        Assert.Equal(lines[119 - 2].Text, scope.Text("SELECT text FROM log_lines WHERE job_id = 1 AND seq = 120"));

        var found = (await scope.Store.SearchLogsAsync(new LogSearchQuery("the gizmo broke"), Token)).Matches.Single();
        Assert.Equal((10L, 2L, "error: the gizmo broke (first)"), (found.Sequence, found.MatchingLines, found.Text));
        Assert.Equal(146, (await scope.Store.SearchLogsAsync(new LogSearchQuery("\"quoted\""), Token)).Matches.Single().MatchingLines);

        // The log goes on after the migration: the next lines are stored, a line stored before is refused.
        var next = new StoredLogLine(151, 3, LogStream.Stdout, at, "error: the gizmo broke (new)");
        await scope.Store.AppendLogAsync(1, [next], Token);
        await Assert.ThrowsAsync<PostgresException>(() => scope.Store.AppendLogAsync(1, [next with { Sequence = 150 }], Token));
        Assert.Equal(3, (await scope.Store.SearchLogsAsync(new LogSearchQuery("the gizmo broke"), Token)).Matches.Single().MatchingLines);
    }

    [PostgresFact]
    public async Task InstancesIndexingAtOnce_IndexEveryChunkOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        var others = new List<CairnStore> { (CairnStore)scope.Store };
        for (var i = 0; i < 3; i++)
        {
            others.Add((CairnStore)await scope.OpenAnotherAsync());
        }

        var jobIds = await scope.QueueJobsAsync(4);
        foreach (var jobId in jobIds)
        {
            for (var batch = 0; batch < 10; batch++)
            {
                await scope.Store.AppendLogAsync(
                    jobId,
                    [.. Enumerable.Range(batch * 1_000 + 1, 1_000).Select(seq => new StoredLogLine(seq, 0, LogStream.Stdout, scope.Time.GetUtcNow(), $"job {jobId} line {seq} of the widget build"))],
                    Token);
            }
        }

        Assert.True(scope.Scalar("SELECT count(*) FROM log_unindexed_chunks") >= 40_000 / 64);

        var indexed = await Task.WhenAll(others.Select(store => Task.Run(() => store.CatchUpLogIndexAsync(Token), Token)));

        Assert.Equal(40_000, indexed.Sum());
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_unindexed_chunks"));
        Assert.Equal(40_000, scope.Scalar("SELECT sum(last_seq - first_seq + 1) FROM log_blocks"));
        Assert.Equal(0, scope.Scalar("""
            SELECT count(*) FROM log_chunks AS c
            WHERE NOT EXISTS (SELECT 1 FROM log_blocks AS b WHERE b.job_id = c.job_id AND b.first_seq = c.first_seq AND b.last_seq = c.last_seq)
            """));
        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery($"job {jobIds[2]} line 9999 of"), Token)).Matches.Single();
        Assert.Equal((jobIds[2], 9_999L), (match.JobId, match.Sequence));
    }

    [PostgresFact]
    public async Task TwoInstancesAppendingOverlappingLinesAtOnce_StoreOneBatchWhole_AndRefuseTheOther()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var jobIds = await scope.QueueJobsAsync(20);
        foreach (var jobId in jobIds)
        {
            var first = Lines(scope, jobId, 1, 100);
            var second = Lines(scope, jobId, 50, 100);
            var appends = new[] { scope.Store.AppendLogAsync(jobId, first, Token), other.AppendLogAsync(jobId, second, Token) };
            var refused = 0;
            foreach (var append in appends)
            {
                try
                {
                    await append;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    refused++;
                }
            }

            var stored = await scope.Store.ReadLogAsync(jobId, 0, 1_000, Token);
            Assert.Equal(1, refused);
            Assert.True(stored.SequenceEqual(first) || stored.SequenceEqual(second), $"job {jobId}: {stored.Count} lines from {stored[0].Sequence}");
        }

        static List<StoredLogLine> Lines(StoreScope scope, long jobId, long from, int count) =>
            [.. Enumerable.Range(0, count).Select(i => new StoredLogLine(from + i, 0, LogStream.Stdout, scope.Time.GetUtcNow(), $"job {jobId} line {from + i}"))];
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Token);
    }
}
