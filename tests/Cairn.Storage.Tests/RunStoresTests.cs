using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public sealed class RunStoresTests
{
    [Fact]
    public async Task Open_Sqlite_GivesAWorkingSqliteStore()
    {
        using var directory = new TempDirectory();

        await using var store = await RunStores.OpenAsync(new StoreSettings("SQLite", directory.Combine("cairn.db"), null), new ManualTimeProvider(), Token);

        Assert.IsType<SqliteRunStore>(store);
        Assert.True((await store.CreateRunAsync(Plan(null, Job("build")), Token)).Id > 0);
    }

    [PostgresFact]
    public async Task Open_Postgres_GivesAWorkingPostgresStore()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();

        await using var store = await RunStores.OpenAsync(new StoreSettings("postgres", database.ConnectionString!, null), new ManualTimeProvider(), Token);

        Assert.IsType<PostgresRunStore>(store);
        Assert.True((await store.CreateRunAsync(Plan(null, Job("build")), Token)).Id > 0);
    }

    [Theory]
    [InlineData("mysql", "x", "unknown store kind 'mysql': use 'sqlite' or 'postgres'")]
    [InlineData("sqlite", " ", "the sqlite store needs a connection: a database file path for sqlite, a connection string for postgres")]
    [InlineData("postgres", "Host=db;Colour=blue", "the PostgreSQL connection string is not valid: ")]
    [InlineData("postgres", "Host=db;Port=many", "the PostgreSQL connection string is not valid: ")]
    [InlineData("postgres", "Database=cairn", "the PostgreSQL connection string names no Host")]
    public async Task Open_WithBadSettings_SaysWhatIsWrong(string kind, string connection, string message)
    {
        var error = await Assert.ThrowsAsync<StoreConfigurationException>(
            () => RunStores.OpenAsync(new StoreSettings(kind, connection, null), TimeProvider.System, Token));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WithNoServerListening_NamesHostAndPort()
    {
        var error = await Assert.ThrowsAsync<StoreConfigurationException>(() => RunStores.OpenAsync(
            new StoreSettings("postgres", "Host=127.0.0.1;Port=1;Username=cairn;Timeout=5", null), TimeProvider.System, Token));

        Assert.StartsWith("cannot reach PostgreSQL at 127.0.0.1:1: ", error.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Open_WithAMissingDatabase_SaysTheServerRefused()
    {
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(Engines.Postgres) { Database = "cairn_nowhere" };

        var error = await Assert.ThrowsAsync<StoreConfigurationException>(
            () => RunStores.OpenAsync(new StoreSettings("postgres", settings.ConnectionString, null), TimeProvider.System, Token));

        Assert.Equal($"PostgreSQL at {settings.Host}:{settings.Port} refused the connection: database \"cairn_nowhere\" does not exist", error.Message);
    }
}
