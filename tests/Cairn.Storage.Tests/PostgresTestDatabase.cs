using Npgsql;

namespace Cairn.Storage.Tests;

/// <summary>A throw-away database on the test server (CAIRN_TEST_POSTGRES), dropped on dispose; nothing when there is no server.</summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly string _name = $"cairn_test_{Guid.NewGuid():N}";

    /// <summary>The connection string of the new database; null when no server is configured.</summary>
    public string? ConnectionString { get; private set; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        return database;
    }

    public async ValueTask InitializeAsync()
    {
        if (Engines.Postgres is not { } server)
        {
            return;
        }

        await AdministerAsync(server, $"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Engines.Postgres is { } server && ConnectionString is not null)
        {
            await AdministerAsync(server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        }
    }

    /// <summary>Runs one statement on the server's maintenance database.</summary>
    public static async Task<object?> AdministerAsync(string server, string sql)
    {
        var settings = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
