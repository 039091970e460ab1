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

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Token);
    }
}
