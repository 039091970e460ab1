using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Migration 24 turns a row per line into chunks of consecutive lines: every line reads back as it was, a gap in
/// the sequence numbers stays a gap, and what the index had taken is not indexed again while what waited still waits.</summary>
public sealed class SqliteLogChunkMigrationTests
{
    [Fact]
    public async Task LinesStoredARowEach_ReadBackExactly_AfterTheyBecomeChunks()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("twenty-three.db");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var lines = Enumerable.Range(1, 100).Concat(Enumerable.Range(103, 48))
            .Select(seq => new StoredLogLine(seq, seq / 40, (LogStream)(seq % 3), at.AddMilliseconds(seq), seq switch
            {
                10 => "error: the gizmo broke (indexed)",
                120 => "error: the gizmo broke (waiting)",
                _ => $"line {seq}: \"quoted\" \\ \u001b[1mbold\u001b[0m\t漢字 💥",
            }))
            .ToList();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All.Where(m => m.Version <= 23).ToList(), new ManualTimeProvider(), Token);
            await ExecuteAsync(connection, """
                INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, idempotency_key, inputs, number, changed_at) VALUES
                    ('build', 'push', 'refs/heads/main', 'aaa', 'acme/widgets', 'failed', 1000, NULL, '{}', 1, 1000);
                INSERT INTO jobs (run_id, ordinal, name, key, status, definition, changed_at) VALUES (1, 0, 'build', 'build', 'failed', '{}', 1000);
                """);
            foreach (var line in lines)
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text) VALUES (1, @seq, @step, @stream, @ts, @text)";
                insert.Parameters.AddWithValue("@seq", line.Sequence);
                insert.Parameters.AddWithValue("@step", line.StepIndex);
                insert.Parameters.AddWithValue("@stream", RecordRows.StreamWire(line.Stream));
                insert.Parameters.AddWithValue("@ts", line.Timestamp.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("@text", line.Text);
                await insert.ExecuteNonQueryAsync(Token);
            }

            // The index had taken lines 1 to 70 (two blocks) when the server stopped; the rest waited.
            await ExecuteAsync(connection, """
                INSERT INTO log_blocks (job_id, first_seq, last_seq) VALUES (1, 1, 64), (1, 65, 70);
                INSERT INTO log_text (rowid, text) SELECT (1 << 32) + 1, group_concat(text, char(10)) FROM log_lines WHERE seq BETWEEN 1 AND 64;
                INSERT INTO log_text (rowid, text) SELECT (1 << 32) + 65, group_concat(text, char(10)) FROM log_lines WHERE seq BETWEEN 65 AND 70;
                DELETE FROM log_unindexed WHERE seq <= 70;
                """);
        }

        await using var scope = await OpenSqliteAsync(path);

        Assert.Equal(lines, await scope.Store.ReadLogAsync(1, 0, 1_000, Token));
        Assert.Equal(lines.Skip(99).Take(3), await scope.Store.ReadLogAsync(1, 99, 3, Token));
        Assert.Equal(lines.Where(l => l.StepIndex == 2), await scope.Store.ReadStepLogAsync(1, 2, 0, 1_000, Token));
        Assert.Equal(150, await scope.Store.GetLastLogSequenceAsync(1, Token));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_chunks WHERE first_seq <= 100 AND last_seq >= 103"));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_chunks WHERE first_seq <= 70 AND last_seq >= 71"));
        Assert.Equal(78, scope.Scalar("SELECT sum(c.last_seq - c.first_seq + 1) FROM log_unindexed_chunks JOIN log_chunks AS c USING (job_id, first_seq)"));

        var found = (await scope.Store.SearchLogsAsync(new LogSearchQuery("the gizmo broke"), Token)).Matches.Single();
        Assert.Equal((10L, 2L, "error: the gizmo broke (indexed)"), (found.Sequence, found.MatchingLines, found.Text));
        Assert.Equal(146, (await scope.Store.SearchLogsAsync(new LogSearchQuery("\"quoted\""), Token)).Matches.Single().MatchingLines);
        Assert.Equal(148, scope.Scalar("SELECT sum(last_seq - first_seq + 1) FROM log_blocks"));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Token);
    }
}
