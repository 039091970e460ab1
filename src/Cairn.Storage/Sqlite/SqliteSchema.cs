using Cairn.Storage.Portable;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Brings a database up to the newest schema this build knows, and refuses one that is newer.</summary>
internal static class SqliteSchema
{
    /// <summary>Brings the database up to the last of <paramref name="migrations"/>. A new database at the newest
    /// version is built from <see cref="SqliteSchemaSnapshot"/> unless <paramref name="fromSnapshot"/> is false (the
    /// test that holds the snapshot to the migrations builds one each way).</summary>
    public static async Task MigrateAsync(
        SqliteConnection connection, string location, IReadOnlyList<Migration> migrations, TimeProvider time, CancellationToken cancellationToken,
        bool fromSnapshot = true)
    {
        await using (var prepare = connection.CreateCommand())
        {
            prepare.CommandText = SqliteSql.PrepareMigrations;
            await prepare.ExecuteNonQueryAsync(cancellationToken);
        }

        var known = migrations[^1].Version;
        var current = await VersionAsync(connection, transaction: null, cancellationToken);
        Refuse(location, current, known);

        // A new file (a local run's store, every time) is built in one transaction: one commit instead of one per
        // migration, and a process killed half way leaves an empty file that the next open builds again. An existing
        // database takes each migration wholly or not at all, so that a failing one keeps those before it.
        var pending = migrations.Where(m => m.Version > current).ToList();
        if (current == 0 && pending.Count > 1)
        {
            await ApplyAsync(connection, location, known, pending, fromSnapshot && SqliteSchemaSnapshot.Version == known, time, cancellationToken);
            return;
        }

        foreach (var migration in pending)
        {
            await ApplyAsync(connection, location, known, [migration], fromSnapshot: false, time, cancellationToken);
        }
    }

    private static async Task ApplyAsync(
        SqliteConnection connection, string location, int known, IReadOnlyList<Migration> migrations, bool fromSnapshot, TimeProvider time,
        CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);

        // Another process may have migrated while this one waited for the write lock.
        var current = await VersionAsync(connection, transaction, cancellationToken);
        Refuse(location, current, known);

        // A database still empty here, at the version the snapshot is of, gets the schema the migrations leave, made
        // once: the migrations rebuild and rename tables, and SQLite parses its whole schema again after each such
        // change, which was most of a local run's start. Its migrations are recorded as applied.
        var snapshot = fromSnapshot && current == 0;
        if (snapshot)
        {
            await ExecuteAsync(connection, transaction, SqliteSchemaSnapshot.Sql, cancellationToken);
        }

        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            if (!snapshot)
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            }

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = PortableSql.RecordMigration;
            record.Bind("@version", migration.Version).Bind("@at", RecordRows.ToMillis(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> VersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteSql.SchemaVersion;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void Refuse(string location, long current, int known)
    {
        if (current > known)
        {
            throw StoreSchemaException.TooNew(location, current, known);
        }
    }
}
