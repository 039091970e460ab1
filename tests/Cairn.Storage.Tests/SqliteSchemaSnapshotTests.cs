using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>A new SQLite database is built from the schema snapshot (src/Cairn.Storage/Sqlite/SqliteSchema.sql), not by
/// replaying the migrations; it must be the database the migrations build, object for object. After a migration is
/// added, run these tests with CAIRN_UPDATE_GOLDEN=1 to write the snapshot again, and review its diff.</summary>
public sealed class SqliteSchemaSnapshotTests
{
    private sealed record SchemaObject(string Type, string Name, string Table, string? Sql);

    [Fact]
    public async Task ANewDatabase_BuiltFromTheSnapshot_IsTheOneTheMigrationsBuild()
    {
        using var directory = new TempDirectory();
        var (migrated, made) = await BuildAsync(directory.Combine("migrated.db"), fromSnapshot: false);
        if (Environment.GetEnvironmentVariable("CAIRN_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(SnapshotFile(), SqliteSchemaSnapshot.Write(SqliteMigrations.All[^1].Version, made), Token);
            return;
        }

        Assert.True(
            SqliteSchemaSnapshot.Version == SqliteMigrations.All[^1].Version,
            $"the snapshot is of migration {SqliteSchemaSnapshot.Version}, the newest is {SqliteMigrations.All[^1].Version}: run this test with CAIRN_UPDATE_GOLDEN=1");
        var (built, _) = await BuildAsync(directory.Combine("built.db"), fromSnapshot: true);

        Assert.Equal(migrated.Count, built.Count);
        Assert.Equal(Sorted(migrated), Sorted(built));
    }

    [Fact]
    public async Task ADatabaseBuiltFromTheSnapshot_RecordsEveryMigration_AndTakesTheNextOneAsAnyOther()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("store.db");
        await using var connection = await OpenAsync(path);
        await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All, new ManualTimeProvider(), Token);

        await using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        var recorded = new List<int>();
        await using (var reader = await versions.ExecuteReaderAsync(Token))
        {
            while (await reader.ReadAsync(Token))
            {
                recorded.Add(reader.GetInt32(0));
            }
        }

        Assert.Equal(SqliteMigrations.All.Select(m => m.Version), recorded);

        // A later build's migration applies on top of it like on any database.
        var next = new Migration(SqliteMigrations.All[^1].Version + 1, "a later column", "ALTER TABLE runs ADD COLUMN later TEXT;");
        await SqliteSchema.MigrateAsync(connection, path, [.. SqliteMigrations.All, next], new ManualTimeProvider(), Token);
        await using var column = connection.CreateCommand();
        column.CommandText = "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'later'";
        Assert.Equal(1L, await column.ExecuteScalarAsync(Token));
    }

    private static async Task<(List<SchemaObject> All, List<string> Made)> BuildAsync(string path, bool fromSnapshot)
    {
        await using var connection = await OpenAsync(path);
        await SqliteSchema.MigrateAsync(connection, path, SqliteMigrations.All, new ManualTimeProvider(), Token, fromSnapshot);

        var all = new List<SchemaObject>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid";
            await using var reader = await read.ExecuteReaderAsync(Token);
            while (await reader.ReadAsync(Token))
            {
                all.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        // What the snapshot must make itself: not what SQLite makes for a constraint, for AUTOINCREMENT or for a virtual
        // table, nor the migrations' own table (made before any migration).
        var virtualTables = all.Where(o => o.Sql?.StartsWith("CREATE VIRTUAL TABLE", StringComparison.OrdinalIgnoreCase) == true).Select(o => o.Name).ToList();
        var made = all
            .Where(o => o.Sql is not null && !o.Name.StartsWith("sqlite_", StringComparison.Ordinal) && o.Name != "schema_migrations")
            .Where(o => !virtualTables.Any(v => o.Type == "table" && o.Name.StartsWith(v + "_", StringComparison.Ordinal)))
            .Select(o => o.Sql!)
            .ToList();
        return (all, made);
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Token);
        return connection;
    }

    private static List<SchemaObject> Sorted(List<SchemaObject> objects) =>
        [.. objects.OrderBy(o => o.Type, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal)];

    private static string SnapshotFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Cairn.Storage", "Sqlite", "SqliteSchema.sql");
            }
        }

        throw new DirectoryNotFoundException($"no Cairn.slnx above {AppContext.BaseDirectory}");
    }
}
