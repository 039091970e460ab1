using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public sealed class SqliteMigrationTests
{
    [Fact]
    public async Task Open_AppliesEveryMigration_AndReopenAppliesNothing()
    {
        await using var scope = await OpenSqliteAsync();
        var latest = SqliteMigrations.Latest;
        var appliedAt = scope.Scalar("SELECT max(applied_at) FROM schema_migrations");
        Assert.Equal(latest, scope.Scalar("SELECT max(version) FROM schema_migrations"));
        Assert.Equal(SqliteMigrations.All.Count, scope.Scalar("SELECT count(*) FROM schema_migrations"));

        scope.Time.Advance(TimeSpan.FromHours(1));
        await scope.OpenAnotherAsync();

        Assert.Equal(SqliteMigrations.All.Count, scope.Scalar("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(appliedAt, scope.Scalar("SELECT max(applied_at) FROM schema_migrations"));
        Assert.Equal("wal", scope.Text("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Open_RefusesADatabaseFromANewerCairn()
    {
        await using var scope = await OpenSqliteAsync();
        scope.Scalar("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0) RETURNING version");

        var error = await Assert.ThrowsAsync<StoreSchemaException>(scope.OpenAnotherAsync);

        Assert.Equal(
            $"the database at {scope.Location} has schema version 999, newer than this cairn understands ({SqliteMigrations.Latest}); upgrade cairn",
            error.Message);
    }

    [Fact]
    public async Task Open_CreatesTheFileAndItsDirectory()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("state", "nested", "cairn.db");

        await using (var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = path }, new ManualTimeProvider(), Token))
        {
            Assert.Null(await store.GetRunAsync(1, Token));
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Migrate_AppliesOnlyNewerMigrations_EachWhollyOrNotAtAll()
    {
        using var directory = new TempDirectory();
        await using var connection = new SqliteConnection($"Data Source={directory.Combine("schema.db")};Pooling=False");
        await connection.OpenAsync(Token);
        var time = new ManualTimeProvider();
        Migration[] first = [new(1, "one table", "CREATE TABLE a (x INTEGER);")];
        Migration[] broken = [.. first, new(2, "fails half way", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")];
        Migration[] fixedUp = [.. first, new(2, "another table", "CREATE TABLE b (x INTEGER);")];

        await SqliteSchema.MigrateAsync(connection, "schema.db", first, time, Token);
        await Assert.ThrowsAsync<SqliteException>(() => SqliteSchema.MigrateAsync(connection, "schema.db", broken, time, Token));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT max(version) FROM schema_migrations"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"));

        await SqliteSchema.MigrateAsync(connection, "schema.db", fixedUp, time, Token);
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT max(version) FROM schema_migrations"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"));
    }

    [Fact]
    public async Task Migrate_BuildsANewDatabaseInOneTransaction_SoAFailingMigrationLeavesItEmpty()
    {
        using var directory = new TempDirectory();
        await using var connection = new SqliteConnection($"Data Source={directory.Combine("new.db")};Pooling=False");
        await connection.OpenAsync(Token);
        var time = new ManualTimeProvider();
        Migration[] broken = [new(1, "one table", "CREATE TABLE a (x INTEGER);"), new(2, "fails half way", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")];
        Migration[] fixedUp = [broken[0], new(2, "another table", "CREATE TABLE b (x INTEGER);"), new(3, "a third", "CREATE TABLE c (x INTEGER);")];

        await Assert.ThrowsAsync<SqliteException>(() => SqliteSchema.MigrateAsync(connection, "new.db", broken, time, Token));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')"));

        await SqliteSchema.MigrateAsync(connection, "new.db", fixedUp, time, Token);
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b', 'c')"));
    }

    [Fact]
    public async Task Migrate_FromTheFirstSchema_KeepsItsRunsAndJobs_AndNumbersThem()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("old.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All.Take(1).ToList(), new ManualTimeProvider(), Token);
            await ScalarAsync(connection, """
                INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, finished_at, idempotency_key, inputs) VALUES
                    ('build', 'push', 'refs/heads/main', 'aaa', 'acme/widgets', 'succeeded', 1000, 5000, 'delivery-1', '{}'),
                    ('build', 'manual', 'refs/heads/dev', 'bbb', 'acme/gadgets', 'running', 2000, NULL, NULL, '{"level":"2"}'),
                    ('build', 'push', 'refs/heads/main', 'ccc', 'acme/widgets', 'running', 3000, NULL, NULL, '{}');
                INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, started_at, finished_at, definition) VALUES
                    (1, 0, 'build', 'build', '[]', '[]', 'succeeded', 1, 1500, 4000, '{}'),
                    (3, 0, 'build', 'build', '[]', '[]', 'queued', 0, NULL, NULL, '{}'),
                    (3, 1, 'test', 'test', '["build"]', '[]', 'waiting', 0, NULL, NULL, '{}');
                """);
        }

        await using var scope = await OpenSqliteAsync(path);

        Assert.Equal(SqliteMigrations.Latest, scope.Scalar("SELECT max(version) FROM schema_migrations"));
        await FirstSchemaChecks.AssertKeptAsync(scope);
    }

    [Fact]
    public async Task Migrate_FromSchemaFour_AsksForApprovalOfForkPullRequests_AndKeepsTheAuditLog()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("four.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All.Take(4).ToList(), new ManualTimeProvider(), Token);
            foreach (var statement in FourthSchemaChecks.Rows)
            {
                await ScalarAsync(connection, statement);
            }
        }

        await using var scope = await OpenSqliteAsync(path);

        Assert.Equal(SqliteMigrations.Latest, scope.Scalar("SELECT max(version) FROM schema_migrations"));
        await FourthSchemaChecks.AssertKeptAsync(scope);
    }

    [Fact]
    public async Task Migrate_KeyingTheJournalByRepository_KeepsEveryJournaledDeliveryADuplicateOfItsOwnRepository()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("old.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await SqliteSchema.MigrateAsync(connection, path, JournalKeyChecks.Before(SqliteMigrations.All), new ManualTimeProvider(), Token);
            await ScalarAsync(connection, JournalKeyChecks.OldRow);
        }

        await using var scope = await OpenSqliteAsync(path);

        await JournalKeyChecks.AssertKeptAsync(scope);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Token);
    }
}
