namespace Cairn.Server.Hosting;

/// <summary>The folder job workspaces and HOMEs are made in: outside the data directory, and closed to listing
/// (<c>0711</c>) so that a step may reach its own workspace but not see which others exist.</summary>
public static class Workspaces
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <exception cref="IOException">The folder cannot be made or its mode set.</exception>
    public static void Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, Mode);
        File.SetUnixFileMode(path, Mode);
    }

    /// <summary>The first folder above <paramref name="path"/> that other users cannot pass through, which would keep
    /// steps running as another user out of their own workspaces; null when every one lets them through.</summary>
    public static string? Unreachable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        for (var folder = Path.GetDirectoryName(Path.GetFullPath(path)); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder) && (File.GetUnixFileMode(folder) & UnixFileMode.OtherExecute) == 0)
            {
                return folder;
            }
        }

        return null;
    }
}
