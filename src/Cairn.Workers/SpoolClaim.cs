namespace Cairn.Workers;

/// <summary>A worker process's own folder of spool files (<c>SPOOL/INSTANCE</c>), held by an exclusive lock on
/// <c>SPOOL/INSTANCE.lock</c> for as long as the process lives. A process that dies, even by <c>kill -9</c>, lets go of its
/// lock; the next worker to start on the same spool folder removes what such a process left (its leases were reaped by
/// the server, so nothing in it will ever be sent). Folders whose lock is held belong to live workers and are left.</summary>
public sealed class SpoolClaim : IDisposable
{
    private const string LockSuffix = ".lock";

    private readonly FileStream _lock;

    private SpoolClaim(string directory, FileStream held)
    {
        Directory = directory;
        _lock = held;
    }

    /// <summary>The folder this process's spool files go in.</summary>
    public string Directory { get; }

    /// <summary>The folders of dead worker processes that were removed.</summary>
    public IReadOnlyList<string> Swept { get; private init; } = [];

    /// <summary>Claims <paramref name="root"/>/<paramref name="instance"/> and removes what dead processes left beside it.</summary>
    public static SpoolClaim Take(string root, string instance)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(instance);
        CreateOwnerOnly(root);
        var held = Lock(Path.Combine(root, instance + LockSuffix)) ?? throw new IOException($"the spool folder of instance {instance} is held by another process");
        var directory = Path.Combine(root, instance);
        CreateOwnerOnly(directory);
        return new SpoolClaim(directory, held) { Swept = SweepDead(root, instance) };
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var path = _lock.Name;
        _lock.Dispose();
        File.Delete(path);
    }

    private static List<string> SweepDead(string root, string instance)
    {
        var swept = new List<string>();
        foreach (var lockFile in System.IO.Directory.EnumerateFiles(root, "*" + LockSuffix))
        {
            var other = Path.GetFileName(lockFile)[..^LockSuffix.Length];
            if (other == instance || Lock(lockFile) is not { } dead)
            {
                continue;
            }

            // Its owner is gone: nothing of it will be sent again.
            using (dead)
            {
                var folder = Path.Combine(root, other);
                if (System.IO.Directory.Exists(folder))
                {
                    System.IO.Directory.Delete(folder, recursive: true);
                }

                swept.Add(folder);
            }

            File.Delete(lockFile);
        }

        return swept;
    }

    /// <summary>The lock file opened exclusively (on Unix an advisory lock the process's death releases); null when
    /// another process holds it.</summary>
    private static FileStream? Lock(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new FileStream(path, options);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Makes a folder only its owner may enter (it holds job logs, already masked, but nobody else's business).</summary>
    internal static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
