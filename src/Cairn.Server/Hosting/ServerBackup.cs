using System.Globalization;
using System.Text.Json;
using Cairn.Core.Secrets;
using Microsoft.Data.Sqlite;

namespace Cairn.Server.Hosting;

/// <summary>Takes a backup of a server while it runs: the database (SQLite through its online backup, PostgreSQL
/// through <c>pg_dump</c>, both one consistent snapshot), the master key, the admin token, the artifact and cache blobs
/// kept in the data directory, and the agents' repositories and transcripts. Git mirrors and workspaces are left out:
/// the server makes them again. Everything is written owner-only (folders 0700, files 0600): the backup holds the key.</summary>
public static class ServerBackup
{
    /// <summary>The file in a backup that says what it holds.</summary>
    public const string ManifestFile = "backup.json";

    /// <summary>A SQLite database's copy in a backup.</summary>
    public const string SqliteFile = "cairn.db";

    /// <summary>A PostgreSQL database's dump in a backup (<c>pg_dump --format=custom</c>).</summary>
    public const string PostgresFile = "cairn.pgdump";

    /// <summary>The folders of the data directory a backup keeps, besides the database and the key files.</summary>
    public static IReadOnlyList<string> KeptFolders { get; } = ["blobs", "agents"];

    internal const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes the backup of the server <paramref name="settings"/> describe into <paramref name="output"/>, a
    /// folder that must not exist yet (or be empty) and must lie outside the data directory. Reports each thing kept
    /// through <paramref name="say"/>. Throws <see cref="BackupException"/> with a sentence when it cannot.</summary>
    public static async Task<BackupManifest> TakeAsync(ServerSettings settings, string output, string? pgDump, Action<string> say, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(say);
        var data = Path.GetFullPath(settings.DataDirectory);
        output = Path.GetFullPath(output);
        if (!Directory.Exists(data))
        {
            throw new BackupException($"there is no data directory {data}: give the server's --data (or CAIRN_DATA)");
        }

        if (IsWithin(output, data) || IsWithin(data, output))
        {
            throw new BackupException($"the backup {output} must lie outside the data directory {data} (and not hold it)");
        }

        var keyFromVariable = settings.MasterKeyText ?? Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable);
        var keyFile = Path.Combine(data, MasterKey.FileName);
        if (string.IsNullOrWhiteSpace(keyFromVariable) && !File.Exists(keyFile))
        {
            throw new BackupException($"there is no master key: {keyFile} is missing and {MasterKey.EnvironmentVariable} is not set; without the key the sealed secrets of a backup cannot be read");
        }

        var pgDumpProgram = settings.Store == "postgres" ? PostgresTools.Find("pg_dump", pgDump) : null;
        if (pgDumpProgram is null && !File.Exists(settings.Connection))
        {
            throw new BackupException($"there is no SQLite database {settings.Connection}");
        }

        CheckEmptyFolder(output, "the backup");
        var existed = Directory.Exists(output);
        PrepareEmptyFolder(output, "the backup");
        try
        {
            return await WriteAsync(settings, data, output, keyFromVariable, keyFile, pgDumpProgram, say, cancellationToken);
        }
        catch
        {
            // A backup that did not finish is no backup: nothing of it is left to be mistaken for one.
            foreach (var entry in new DirectoryInfo(output).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo folder)
                {
                    folder.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }

            if (!existed)
            {
                Directory.Delete(output);
            }

            throw;
        }
    }

    private static async Task<BackupManifest> WriteAsync(
        ServerSettings settings, string data, string output, string? keyFromVariable, string keyFile, string? pgDumpProgram, Action<string> say, CancellationToken cancellationToken)
    {
        // The database first: blobs written after its snapshot are extra and harmless; ones it names are then on disk.
        string database;
        if (pgDumpProgram is not null)
        {
            database = PostgresFile;
            await DumpPostgresAsync(settings.Connection, Path.Combine(output, PostgresFile), pgDumpProgram, cancellationToken);
            say($"database: PostgreSQL, dumped with pg_dump to {Path.Combine(output, PostgresFile)}");
        }
        else
        {
            database = SqliteFile;
            await CopySqliteAsync(settings.Connection, Path.Combine(output, SqliteFile), cancellationToken);
            say($"database: SQLite {settings.Connection}, copied online to {Path.Combine(output, SqliteFile)}");
        }

        if (!string.IsNullOrWhiteSpace(keyFromVariable))
        {
            MasterKey.WritePrivate(Path.Combine(output, MasterKey.FileName), keyFromVariable.Trim() + "\n");
            say($"master key: from {MasterKey.EnvironmentVariable}, written to {MasterKey.FileName}");
        }
        else
        {
            CopyPrivate(keyFile, Path.Combine(output, MasterKey.FileName));
            say($"master key: {keyFile}");
        }

        var adminToken = File.Exists(Path.Combine(data, AdminToken.FileName));
        if (adminToken)
        {
            CopyPrivate(Path.Combine(data, AdminToken.FileName), Path.Combine(output, AdminToken.FileName));
            say($"admin token: {Path.Combine(data, AdminToken.FileName)}");
        }

        var files = 0L;
        var bytes = 0L;
        foreach (var folder in KeptFolders)
        {
            if (folder == "blobs" && settings.Artifacts.IsS3)
            {
                say($"artifacts and caches: in {settings.Artifacts.Store}, not in this backup (back the bucket up with its own tools)");
                continue;
            }

            var (f, b) = CopyTree(Path.Combine(data, folder), Path.Combine(output, folder), cancellationToken);
            files += f;
            bytes += b;
            say(string.Create(CultureInfo.InvariantCulture, $"{folder}: {f} files, {b} bytes"));
        }

        var manifest = new BackupManifest(
            1,
            DateTimeOffset.UtcNow,
            settings.Store,
            database,
            adminToken,
            settings.Artifacts.IsS3 ? settings.Artifacts.Store : null,
            files,
            bytes);
        await using (var stream = new FileStream(Path.Combine(output, ManifestFile), PrivateCreate()))
        {
            await JsonSerializer.SerializeAsync(stream, manifest, BackupManifest.Json, cancellationToken);
        }

        return manifest;
    }

    /// <summary>Copies a SQLite database through SQLite's online backup: one consistent snapshot, whatever the server
    /// writes meanwhile (a copy of the file would miss what its WAL holds). The copy is checked before it is kept.</summary>
    public static async Task CopySqliteAsync(string source, string target, CancellationToken cancellationToken)
    {
        if (!File.Exists(source))
        {
            throw new BackupException($"there is no SQLite database {source}");
        }

        DataDirectory.CreatePrivateFile(target);
        var from = new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 60 };
        var to = new SqliteConnectionStringBuilder { DataSource = target, Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        await using (var sourceConnection = new SqliteConnection(from.ConnectionString))
        await using (var targetConnection = new SqliteConnection(to.ConnectionString))
        {
            await sourceConnection.OpenAsync(cancellationToken);
            await targetConnection.OpenAsync(cancellationToken);
            sourceConnection.BackupDatabase(targetConnection);
            await using var check = targetConnection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
            if (result != "ok")
            {
                throw new BackupException($"the copy of {source} does not pass SQLite's check: {result}");
            }

            // The copy stands alone: its WAL is folded in, so that the one file is the whole database.
            await using var checkpoint = targetConnection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var side in new[] { "-wal", "-shm" })
        {
            File.Delete(target + side);
        }
    }

    /// <summary>Runs <c>pg_dump --format=custom</c> on the database of <paramref name="connection"/>; the password
    /// goes in its environment, never on its command line.</summary>
    private static async Task DumpPostgresAsync(string connection, string target, string program, CancellationToken cancellationToken)
    {
        using (new FileStream(target, PrivateCreate()))
        {
            // pg_dump opens the file for writing and keeps its mode: made here, it is 0600 from the start.
        }

        await PostgresTools.RunAsync(program, connection, ["--format=custom", "--no-owner", "--no-privileges", "--file", target], cancellationToken);
    }

    /// <summary>Makes <paramref name="path"/> an empty folder of its owner's (0700), or refuses one that holds anything.</summary>
    internal static void PrepareEmptyFolder(string path, string what)
    {
        CheckEmptyFolder(path, what);
        if (Directory.Exists(path))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, FolderMode);
            }

            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Refuses a path that is a file or a folder that holds anything (a data directory a server uses does).</summary>
    internal static void CheckEmptyFolder(string path, string what)
    {
        if (File.Exists(path))
        {
            throw new BackupException($"{what} {path} is a file; give a folder that does not exist yet");
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new BackupException($"{what} {path} is not empty; give a folder that does not exist yet");
        }
    }

    /// <summary>Copies a folder's files (not its symbolic links, not a blob store's unfinished <c>.partial</c> files, not
    /// agents' worktrees) owner-only; answers how many files and bytes. A missing folder copies nothing.</summary>
    internal static (long Files, long Bytes) CopyTree(string source, string target, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(source))
        {
            return (0, 0);
        }

        long files = 0, bytes = 0;
        var pending = new Stack<(DirectoryInfo From, string To)>();
        pending.Push((new DirectoryInfo(source), target));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (from, to) = pending.Pop();
            CreatePrivateFolder(to);
            foreach (var entry in from.EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo folder)
                {
                    if (folder.Name != "worktree")
                    {
                        pending.Push((folder, Path.Combine(to, folder.Name)));
                    }
                }
                else if (!entry.Name.EndsWith(".partial", StringComparison.Ordinal))
                {
                    try
                    {
                        bytes += CopyPrivate(entry.FullName, Path.Combine(to, entry.Name));
                        files++;
                    }
                    catch (FileNotFoundException)
                    {
                        // Removed while the backup ran (an expired blob): it is no longer anyone's.
                    }
                }
            }
        }

        return (files, bytes);
    }

    internal static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Copies one file into a new file that is 0600 from the start; answers its length.</summary>
    internal static long CopyPrivate(string source, string target)
    {
        using var from = new FileStream(source, System.IO.FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var to = new FileStream(target, PrivateCreate());
        from.CopyTo(to);
        return to.Length;
    }

    internal static FileStreamOptions PrivateCreate()
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    internal static bool IsWithin(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}

/// <summary>What a backup holds, as its <c>backup.json</c> says.</summary>
public sealed record BackupManifest(
    int Format,
    DateTimeOffset TakenAt,
    string Store,
    string Database,
    bool AdminToken,
    string? ArtifactStore,
    long Files,
    long Bytes)
{
    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>A backup or restore that cannot be done, with the sentence that says why.</summary>
public sealed class BackupException(string message) : Exception(message);
