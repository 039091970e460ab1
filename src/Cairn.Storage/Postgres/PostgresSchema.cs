using Cairn.Storage.Portable;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Brings a database up to the newest schema this build knows, and refuses one that is newer.</summary>
/// <remarks>Each migration commits alone, inside a transaction that holds the migration lock: replicas starting together
/// take turns, and the one that comes second finds the schema already applied.</remarks>
internal static class PostgresSchema
{
    public static async Task MigrateAsync(
        NpgsqlConnection connection, string location, IReadOnlyList<Migration> migrations, TimeProvider time, CancellationToken cancellationToken)
    {
        var known = migrations[^1].Version;
        while (await ApplyNextAsync(connection, location, known, migrations, time, cancellationToken))
        {
        }
    }

    /// <summary>Applies the first migration newer than the database; false when there was none.</summary>
    private static async Task<bool> ApplyNextAsync(
        NpgsqlConnection connection,
        string location,
        int known,
        IReadOnlyList<Migration> migrations,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, PostgresSql.LockMigrations, cancellationToken);
        await ExecuteAsync(connection, PostgresSql.PrepareMigrations, cancellationToken);

        await using var read = new NpgsqlCommand(PostgresSql.SchemaVersion, connection);
        var current = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        if (current > known)
        {
            throw StoreSchemaException.TooNew(location, current, known);
        }

        var next = migrations.FirstOrDefault(m => m.Version > current);
        if (next is not null)
        {
            await ExecuteAsync(connection, next.Sql, cancellationToken);
            await using var record = new NpgsqlCommand(PortableSql.RecordMigration, connection);
            record.Bind("@version", next.Version).Bind("@at", RecordRows.ToMillis(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return next is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
