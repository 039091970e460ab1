using System.Diagnostics;
using System.Globalization;

namespace Cairn.Executors.Shell;

/// <summary>The programs a step runs through: a shell and its flags, <c>setsid</c> when this host has it, and
/// <c>setpriv</c> (util-linux) to run it as another user.</summary>
internal sealed record ShellCommand(string ShellPath, IReadOnlyList<string> ShellFlags, string? SetsidPath)
{
    public string? SetprivPath { get; init; }

    /// <summary>Whether each step leads a session and process group of its own: always where steps are spawned
    /// (<see cref="StepReaper"/>), else when this host has <c>setsid</c>.</summary>
    public bool OwnsSession => SetsidPath is not null || StepReaper.Shared is not null;

    /// <summary>Finds bash (or sh) and setsid on the search path; null when there is no shell at all.</summary>
    public static ShellCommand? Locate(ShellExecutorOptions options)
    {
        var searchPath = options.SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        var directories = searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var setsid = Find(directories, "setsid");
        var setpriv = Find(directories, "setpriv");

        if (!options.ForceSh && Find(directories, "bash") is { } bash)
        {
            return new ShellCommand(bash, ["--noprofile", "--norc", "-eo", "pipefail", "-c"], setsid) { SetprivPath = setpriv };
        }

        return Find(directories, "sh") is { } sh ? new ShellCommand(sh, ["-e", "-c"], setsid) { SetprivPath = setpriv } : null;
    }

    /// <summary>How to start the step through <see cref="System.Diagnostics.Process"/>: under <c>setsid</c> when this
    /// host has it, as <paramref name="account"/> when given (this process must be root and have setpriv).</summary>
    public ProcessStartInfo StartInfo(string script, string workingDirectory, UnixAccount? account = null)
    {
        var argv = new List<string>();

        // setsid execs the shell in place (the child is never a group leader, so it does not fork): the pid we
        // hold is the shell's, and it leads a fresh session and process group.
        if (SetsidPath is not null)
        {
            argv.Add(SetsidPath);
        }

        argv.AddRange(Arguments(script, account));
        var info = new ProcessStartInfo
        {
            FileName = argv[0],
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        foreach (var argument in argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>The step's argument vector, the program first (an absolute path), without <c>setsid</c>: the shell and
    /// its flags, behind <c>setpriv</c> when it runs as <paramref name="account"/>.</summary>
    public List<string> Arguments(string script, UnixAccount? account = null)
    {
        var argv = new List<string>(ShellFlags.Count + 9);

        // setpriv drops to the user in place (exec, no fork), so the pid and process group stay the shell's. No new
        // privileges: a setuid program the step runs cannot take root back.
        if (account is not null)
        {
            argv.AddRange([
                SetprivPath ?? throw new InvalidOperationException("setpriv (util-linux) is not installed"),
                string.Create(CultureInfo.InvariantCulture, $"--reuid={account.Uid}"),
                string.Create(CultureInfo.InvariantCulture, $"--regid={account.Gid}"),
                "--init-groups", "--no-new-privs", "--inh-caps=-all",
            ]);
        }

        argv.Add(ShellPath);
        argv.AddRange(ShellFlags);
        argv.Add(script);
        return argv;
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
