using System.Diagnostics;
using System.Globalization;

namespace Cairn.Executors.Shell;

/// <summary>The programs a step runs through: a shell and its flags, <c>setsid</c> when this host has it,
/// <c>setpriv</c> (util-linux) to run it as another user, and <c>nice</c> (coreutils) to run it below this process's
/// priority.</summary>
internal sealed record ShellCommand(string ShellPath, IReadOnlyList<string> ShellFlags, string? SetsidPath)
{
    public string? SetprivPath { get; init; }

    public string? NicePath { get; init; }

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
        var nice = Find(directories, "nice");

        if (!options.ForceSh && Find(directories, "bash") is { } bash)
        {
            return new ShellCommand(bash, ["--noprofile", "--norc", "-eo", "pipefail", "-c"], setsid) { SetprivPath = setpriv, NicePath = nice };
        }

        return Find(directories, "sh") is { } sh ? new ShellCommand(sh, ["-e", "-c"], setsid) { SetprivPath = setpriv, NicePath = nice } : null;
    }

    /// <summary>How to start the step through <see cref="System.Diagnostics.Process"/>: under <c>setsid</c> when this
    /// host has it, as <paramref name="account"/> when given (this process must be root and have setpriv),
    /// <paramref name="nice"/> steps below this process's priority (see <see cref="Arguments"/>).</summary>
    public ProcessStartInfo StartInfo(string script, string workingDirectory, UnixAccount? account = null, int nice = 0)
    {
        var argv = new List<string>();

        // setsid execs the shell in place (the child is never a group leader, so it does not fork): the pid we
        // hold is the shell's, and it leads a fresh session and process group.
        if (SetsidPath is not null)
        {
            argv.Add(SetsidPath);
        }

        argv.AddRange(Arguments(script, account, nice));
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
    /// its flags, behind <c>setpriv</c> when it runs as <paramref name="account"/>, behind <c>nice -n</c> when it runs
    /// <paramref name="nice"/> steps below this process (and this host has <c>nice</c>; else the caller lowers it once
    /// started, see <see cref="ProcessPriority"/>).</summary>
    public List<string> Arguments(string script, UnixAccount? account = null, int nice = 0)
    {
        var argv = new List<string>(ShellFlags.Count + 12);

        // nice sets its own priority and execs in place, so the shell starts at it: nothing it runs ever sees the
        // server's. Set from outside after the start, a step's first command could run before it.
        if (nice > 0 && NicePath is not null)
        {
            argv.AddRange([NicePath, "-n", nice.ToString(CultureInfo.InvariantCulture)]);
        }

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
