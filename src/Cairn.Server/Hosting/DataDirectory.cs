using System.Globalization;

namespace Cairn.Server.Hosting;

/// <summary>The server's data directory is its owner's alone: the folder and every folder in it <c>0700</c>, every
/// file <c>0600</c> (the SQLite database with its WAL and SHM files, the master key, the admin token, the git mirrors).
/// An install made with looser modes is tightened at start.</summary>
public static class DataDirectory
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Makes the directory (0700) or tightens what is in it. Returns a line for the person who started the
    /// server when something had to be tightened, else null.</summary>
    /// <exception cref="IOException">The directory cannot be made or its modes cannot be set.</exception>
    public static string? Secure(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return null;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, FolderMode);
        }

        var tightened = 0;
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(path));
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            tightened += Tighten(folder, FolderMode);
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                // A symbolic link is neither followed nor changed: what it points at is not the server's to tighten.
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
                else
                {
                    tightened += Tighten(entry.FullName, FileMode);
                }
            }
        }

        return tightened == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"data directory: tightened {tightened} {(tightened == 1 ? "entry" : "entries")} of {path} to owner-only (folders 0700, files 0600)");
    }

    /// <summary>Creates an empty file only its owner can read, unless it exists: the SQLite database before SQLite
    /// opens it, so that its WAL and SHM files (which SQLite makes with the database's mode) are private too.</summary>
    public static void CreatePrivateFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another replica or process made it first.
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static int Tighten(string path, UnixFileMode wanted)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~wanted) == 0)
        {
            return 0;
        }

        File.SetUnixFileMode(path, mode & wanted);
        return 1;
    }
}
