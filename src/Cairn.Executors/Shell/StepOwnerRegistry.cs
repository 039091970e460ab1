using System.Globalization;
using System.Text;

namespace Cairn.Executors.Shell;

/// <summary>One file per live shell executor, named by the token its steps carry (<see cref="StepGroupSentinel.Variable"/>)
/// and holding the owner's pid and start time. The sentinel kills a dead owner's steps at once; this is the second line:
/// when the sentinel died with its owner (a machine-wide kill, the OOM killer), the next cairn of the same user to start
/// on the host sweeps the steps of every owner that is gone.</summary>
/// <remarks>The directory is per user and private (<see cref="PrivateDirectory"/>): in a temp directory every user
/// shares, another user could otherwise make it first and rewrite its records (so that a sweep kills live steps), or
/// leave a symbolic link there (so that a sweep deletes files elsewhere). One that fails the check is not used at all:
/// nothing is recorded or swept, and the sentinel alone stands.</remarks>
internal static class StepOwnerRegistry
{
    private const int SigKill = 9;

    /// <summary>This user's registry in the temp directory: <c>/tmp/cairn-step-owners-UID</c>.</summary>
    public static string DefaultDirectory => DirectoryFor(Path.GetTempPath(), PrivateDirectory.EffectiveUserId);

    public static string DirectoryFor(string temp, uint userId) =>
        Path.Combine(temp, string.Create(CultureInfo.InvariantCulture, $"cairn-step-owners-{userId}"));

    /// <summary>Records this process as the owner of steps marked with <paramref name="token"/>, unless the directory
    /// cannot be trusted.</summary>
    public static void Register(string directory, string token)
    {
        if (PrivateDirectory.Ensure(directory) is not null)
        {
            return;
        }

        try
        {
            var self = ProcStat.Read(Environment.ProcessId);
            File.WriteAllText(Path.Combine(directory, token), string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {self?.StartTime ?? 0}"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The sentinel still covers this owner; only the second line is missing.
        }
    }

    public static void Unregister(string directory, string token)
    {
        if (PrivateDirectory.Check(directory) is not null)
        {
            return;
        }

        try
        {
            File.Delete(Path.Combine(directory, token));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Kills (SIGKILL) the steps of every recorded owner that is no longer running, and forgets those owners.
    /// Returns how many processes were signalled: none from a directory that cannot be trusted.</summary>
    public static int Sweep(string directory)
    {
        if (!Directory.Exists("/proc") || PrivateDirectory.Check(directory) is not null)
        {
            return 0;
        }

        var orphaned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (!OwnerIsAlive(file))
            {
                orphaned.Add(Path.GetFileName(file));
            }
        }

        var signalled = orphaned.Count == 0 ? 0 : KillMarked(orphaned);
        foreach (var token in orphaned)
        {
            Unregister(directory, token);
        }

        return signalled;
    }

    private static bool OwnerIsAlive(string file)
    {
        string[] owner;
        try
        {
            owner = File.ReadAllText(file).Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }

        return owner.Length == 2
            && int.TryParse(owner[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(owner[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
            && ProcStat.Read(pid) is { IsLive: true } stat
            && stat.StartTime == start;
    }

    private static int KillMarked(HashSet<string> tokens)
    {
        var marked = new Dictionary<int, ProcStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && MarkOf(directory) is { } token && tokens.Contains(token)
                && ProcStat.Read(directory) is { IsLive: true } stat)
            {
                marked[pid] = stat;
            }
        }

        foreach (var (pid, stat) in marked)
        {
            // A group goes whole only when its leader is marked too, as the sentinel does.
            _ = marked.ContainsKey(stat.GroupId) ? ProcessGroup.Kill(-stat.GroupId, SigKill) : ProcessGroup.Kill(pid, SigKill);
        }

        return marked.Count;
    }

    private static string? MarkOf(string processDirectory)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes(Path.Combine(processDirectory, "environ"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var prefix = Encoding.ASCII.GetBytes(StepGroupSentinel.Variable + "=");
        foreach (var entry in environ.AsSpan().Split((byte)0))
        {
            var value = environ.AsSpan(entry);
            if (value.StartsWith(prefix))
            {
                return Encoding.ASCII.GetString(value[prefix.Length..]);
            }
        }

        return null;
    }
}
