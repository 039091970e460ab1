using Cairn.Executors.Shell;

namespace Cairn.Executors.Agent;

/// <summary>The folders an agent job works in, made so that the user steps run as can pass through to its own job's
/// folder (<c>0711</c>: in, but not a listing of the other jobs), and what in them that user must own.</summary>
internal static class AgentFolders
{
    private const UnixFileMode Passable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Makes <paramref name="folder"/> and each folder between <paramref name="root"/> and it, passable.</summary>
    public static void MakePassable(string root, string folder)
    {
        var full = Path.GetFullPath(folder);
        var top = Path.GetFullPath(root);
        var chain = new Stack<string>();
        for (var at = full; at.Length >= top.Length; at = Path.GetDirectoryName(at)!)
        {
            chain.Push(at);
            if (at == top)
            {
                break;
            }
        }

        foreach (var path in chain)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                continue;
            }

            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, Passable);
            }

            File.SetUnixFileMode(path, Passable);
        }
    }

    /// <summary>Gives <paramref name="path"/>, and everything in it, to <paramref name="account"/>: <c>chown -R -h</c>, which
    /// follows no symbolic link (an agent's HOME may hold links its CLI made).</summary>
    public static async Task<bool> GiveAsync(string path, UnixAccount account, CancellationToken cancellationToken)
    {
        using var chown = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown",
            ["-R", "-h", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{account.Uid}:{account.Gid}"), "--", path])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        });
        if (chown is null)
        {
            return false;
        }

        await chown.StandardError.ReadToEndAsync(cancellationToken);
        await chown.WaitForExitAsync(cancellationToken);
        return chown.ExitCode == 0;
    }
}
