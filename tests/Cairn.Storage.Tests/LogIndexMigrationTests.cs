using Cairn.Core.Logs;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The index of log text (migration 7) takes in the lines stored before it, on both databases.</summary>
public sealed class LogIndexMigrationTests
{
    private static readonly string[] SixthSchemaRows =
    [
        """
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, idempotency_key, inputs, number, changed_at) VALUES
            ('build', 'push', 'refs/heads/main', 'aaa', 'acme/widgets', 'failed', 1000, NULL, '{}', 1, 1000)
        """,
        """
        INSERT INTO jobs (run_id, ordinal, name, key, status, definition, changed_at) VALUES (1, 0, 'build', 'build', 'failed', '{}', 1000)
        """,
        """
        INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text) VALUES
            (1, 1, 0, 'stdout', 1000, 'restoring packages'), (1, 2, 0, 'stderr', 1001, 'error: Connection Refused by registry')
        """,
    ];

    [Fact]
    public async Task Sqlite_LinesStoredBeforeTheIndex_AreFound()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("six.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All.Take(6).ToList(), new ManualTimeProvider(), Token);
            foreach (var statement in SixthSchemaRows)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync(Token);
            }
        }

        await using var scope = await OpenSqliteAsync(path);
        await AssertFoundAsync(scope);
    }

    [PostgresFact]
    public async Task Postgres_LinesStoredBeforeTheIndex_AreFound()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(connection, "test", PostgresMigrations.All.Take(6).ToList(), new ManualTimeProvider(), Token);
            foreach (var statement in SixthSchemaRows)
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync(Token);
            }
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);
        await AssertFoundAsync(scope);
    }

    private static async Task AssertFoundAsync(StoreScope scope)
    {
        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery("connection refused"), Token)).Matches.Single();
        Assert.Equal((1L, 1L, 2L), (match.Run.Id, match.JobId, match.Sequence));
        Assert.Equal("error: Connection Refused by registry", match.Text);
    }
}
