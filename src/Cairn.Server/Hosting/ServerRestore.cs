using System.Text.Json;
using Cairn.Core.Secrets;
using Npgsql;

namespace Cairn.Server.Hosting;

/// <summary>Puts a backup <see cref="ServerBackup"/> took into a new data directory (and, for PostgreSQL, an empty
/// database), for a server to start on. It never writes over anything: a data directory that holds anything, a SQLite
/// file that exists, or a database with tables is refused, so that a restore cannot land under a running server.</summary>
public static class ServerRestore
{
    /// <summary>Restores <paramref name="backup"/> into the data directory and store of <paramref name="settings"/>.
    /// Throws <see cref="BackupException"/> with a sentence when it cannot.</summary>
    public static async Task<BackupManifest> RestoreAsync(string backup, ServerSettings settings, string? pgRestore, Action<string> say, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(say);
        backup = Path.GetFullPath(backup);
        var manifestFile = Path.Combine(backup, ServerBackup.ManifestFile);
        if (!File.Exists(manifestFile))
        {
            throw new BackupException($"{backup} is not a Cairn backup: it has no {ServerBackup.ManifestFile}");
        }

        BackupManifest manifest;
        await using (var stream = File.OpenRead(manifestFile))
        {
            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupManifest.Json, cancellationToken)
                ?? throw new BackupException($"{manifestFile} is empty");
        }

        if (manifest.Store != settings.Store)
        {
            throw new BackupException($"the backup is of a {manifest.Store} store; restore it with --store {manifest.Store}");
        }

        var data = Path.GetFullPath(settings.DataDirectory);
        if (ServerBackup.IsWithin(data, backup) || ServerBackup.IsWithin(backup, data))
        {
            throw new BackupException($"the data directory {data} must lie outside the backup {backup}");
        }

        // Everything is checked before anything is written: a refusal leaves nothing behind.
        ServerBackup.CheckEmptyFolder(data, "the data directory");
        string? pgRestoreProgram = null;
        if (settings.Store == "postgres")
        {
            pgRestoreProgram = PostgresTools.Find("pg_restore", pgRestore);
            await CheckEmptyDatabaseAsync(settings.Connection, cancellationToken);
        }
        else if (File.Exists(settings.Connection))
        {
            throw new BackupException($"the SQLite database {settings.Connection} exists; restore into a new one");
        }

        ServerBackup.PrepareEmptyFolder(data, "the data directory");
        if (pgRestoreProgram is not null)
        {
            await RestorePostgresAsync(pgRestoreProgram, settings.Connection, Path.Combine(backup, manifest.Database), cancellationToken);
            say("database: restored with pg_restore into the empty database of --connection");
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(settings.Connection)!);
            ServerBackup.CopyPrivate(Path.Combine(backup, manifest.Database), settings.Connection);
            say($"database: {settings.Connection}");
        }

        ServerBackup.CopyPrivate(Path.Combine(backup, MasterKey.FileName), Path.Combine(data, MasterKey.FileName));
        say($"master key: {Path.Combine(data, MasterKey.FileName)}");
        if (manifest.AdminToken && File.Exists(Path.Combine(backup, AdminToken.FileName)))
        {
            ServerBackup.CopyPrivate(Path.Combine(backup, AdminToken.FileName), Path.Combine(data, AdminToken.FileName));
            say($"admin token: {Path.Combine(data, AdminToken.FileName)}");
        }

        foreach (var folder in ServerBackup.KeptFolders)
        {
            var (files, _) = ServerBackup.CopyTree(Path.Combine(backup, folder), Path.Combine(data, folder), cancellationToken);
            if (files > 0)
            {
                say($"{folder}: {files} files");
            }
        }

        return manifest;
    }

    private static async Task CheckEmptyDatabaseAsync(string connection, CancellationToken cancellationToken)
    {
        await using var database = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Pooling = false }.ConnectionString);
        await database.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", database);
        if ((long)(await count.ExecuteScalarAsync(cancellationToken))! > 0)
        {
            throw new BackupException($"the database {database.Database} has tables; restore into a new, empty database (createdb …)");
        }
    }

    private static async Task RestorePostgresAsync(string program, string connection, string dump, CancellationToken cancellationToken)
    {
        var name = new NpgsqlConnectionStringBuilder(connection).Database
            ?? throw new BackupException("the connection string names no database (Database=…)");
        await PostgresTools.RunAsync(program, connection, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", name, dump], cancellationToken);
    }
}
