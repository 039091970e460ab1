using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Cairn.Core.Execution;

namespace Cairn.Executors.Shell;

/// <summary>Who a job's steps run as and what environment they start from: on a server running as root, an
/// unprivileged user owning the workspace and a fresh HOME; otherwise this process's own user. Disposing removes the HOME.</summary>
internal sealed class JobSession : IDisposable
{
    private JobSession(UnixAccount? account, string? home, IReadOnlyDictionary<string, string> baseEnvironment)
    {
        Account = account;
        Home = home;
        BaseEnvironment = baseEnvironment;
    }

    /// <summary>The user steps run as; null for this process's own.</summary>
    public UnixAccount? Account { get; }

    /// <summary>The job attempt's own HOME, removed at the end; null when steps keep this host's.</summary>
    public string? Home { get; }

    /// <summary>What every step's environment starts from, before the job's and step's variables.</summary>
    public IReadOnlyDictionary<string, string> BaseEnvironment { get; }

    /// <summary>Sets the job up, or says why it cannot run here (a <c>config</c> problem a person can act on).</summary>
    public static async Task<(JobSession? Session, string? Refusal)> OpenAsync(
        JobSpec job, ShellExecutorOptions options, ShellCommand? shell, CancellationToken cancellationToken)
    {
        UnixAccount? account = null;
        if (options.IsolateSteps && (options.SwitchUsers ?? UnixAccount.ProcessIsRoot))
        {
            var wanted = job.User ?? options.DefaultUser;
            account = wanted is null ? UnixAccount.Default() : UnixAccount.Find(wanted);
            if (account is null)
            {
                return (null, wanted is null
                    ? $"there is neither a '{UnixAccount.Dedicated}' nor a '{UnixAccount.Fallback}' user to run steps as"
                    : $"there is no user '{wanted}' on this host to run the steps of job '{job.JobName}' as");
            }

            if (shell is { SetprivPath: null })
            {
                return (null, "steps must run as an unprivileged user, but setpriv (util-linux) is not installed");
            }
        }

        var stepUid = account?.Uid ?? UnixAccount.ProcessUid;
        if (job.Untrusted && options.IsolateSteps && (stepUid == UnixAccount.ProcessUid || stepUid == 0))
        {
            return (null, "this job runs code from a pull request from a fork, and on this host the shell executor would run it as "
                + (stepUid == 0 ? "root" : "the server's own user") + ", who can read the server's keys and database. "
                + "Run such jobs on a container runner (runner: with executor: container), or run cairn as root so that steps run as an unprivileged user");
        }

        string? home = null;
        if (options.Environment.Clean)
        {
            home = MakeHome(job, options.HomeRoot ?? Path.GetTempPath(), account);
        }

        if (account is not null)
        {
            await GiveAsync(job.Workspace, account, cancellationToken);
        }

        var host = StepEnvironmentPolicy.HostEnvironment();
        var user = account?.Name ?? (options.Environment.Clean ? Environment.UserName : null);
        return (new JobSession(account, home, options.Environment.Base(job, host, home, user)), null);
    }

    public void Dispose()
    {
        if (Home is not null)
        {
            try
            {
                Directory.Delete(Home, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A HOME left behind holds nothing of the server's; the next sweep of the folder takes it.
            }
        }
    }

    private static string MakeHome(JobSpec job, string root, UnixAccount? account)
    {
        Directory.CreateDirectory(root);
        var home = Path.Combine(Path.GetFullPath(root), string.Create(CultureInfo.InvariantCulture,
            $"home-{job.JobId}-{job.Attempt}-{Guid.NewGuid().ToString("N")[..8]}"));
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(home);
        }
        else
        {
            Directory.CreateDirectory(home, mode);
        }

        if (account is not null && !HostProcess.Chown(home, account.Uid, account.Gid))
        {
            throw new IOException($"could not give the job's home {home} to user {account.Name}");
        }

        return home;
    }

    /// <summary>Gives the workspace, and everything in it, to the step user (symbolic links are not followed): what
    /// <c>chown -R -h</c> does, without a process for it.</summary>
    private static Task GiveAsync(string workspace, UnixAccount account, CancellationToken cancellationToken) =>
        Task.Run(() => Give(new DirectoryInfo(workspace), account, cancellationToken), cancellationToken);

    private static void Give(DirectoryInfo directory, UnixAccount account, CancellationToken cancellationToken)
    {
        Own(directory.FullName, account);
        foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo inner && entry.LinkTarget is null)
            {
                Give(inner, account, cancellationToken);
            }
            else
            {
                Own(entry.FullName, account);
            }
        }
    }

    private static void Own(string path, UnixAccount account)
    {
        if (!HostProcess.Chown(path, account.Uid, account.Gid))
        {
            throw new IOException($"could not give the workspace to user {account.Name}: {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }
}
