using System.Diagnostics;

namespace Cairn.Executors.Shell;

/// <summary>The programs a step runs through: a shell and its flags, and <c>setsid</c> when this host has it.</summary>
internal sealed record ShellCommand(string ShellPath, IReadOnlyList<string> ShellFlags, string? SetsidPath)
{
    public bool OwnsSession => SetsidPath is not null;

    /// <summary>Finds bash (or sh) and setsid on the search path; null when there is no shell at all.</summary>
    public static ShellCommand? Locate(ShellExecutorOptions options)
    {
        var searchPath = options.SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        var directories = searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var setsid = Find(directories, "setsid");

        if (!options.ForceSh && Find(directories, "bash") is { } bash)
        {
            return new ShellCommand(bash, ["--noprofile", "--norc", "-eo", "pipefail", "-c"], setsid);
        }

        return Find(directories, "sh") is { } sh ? new ShellCommand(sh, ["-e", "-c"], setsid) : null;
    }

    public ProcessStartInfo StartInfo(string script, string workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            FileName = SetsidPath ?? ShellPath,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // setsid execs the shell in place (the child is never a group leader, so it does not fork): the pid we
        // hold is the shell's, and it leads a fresh session and process group.
        if (SetsidPath is not null)
        {
            info.ArgumentList.Add(ShellPath);
        }

        foreach (var flag in ShellFlags)
        {
            info.ArgumentList.Add(flag);
        }

        info.ArgumentList.Add(script);
        return info;
    }

    private static string? Find(string[] directories, string program)
    {
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows()
        || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
