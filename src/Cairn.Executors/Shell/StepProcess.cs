using System.Diagnostics;
using Cairn.Core.Logs;

namespace Cairn.Executors.Shell;

/// <summary>One step's shell process: started in its own process group, its two output streams read concurrently
/// into lines, and nothing it started left behind when it ends.</summary>
internal sealed class StepProcess : IDisposable
{
    private const int ReadBufferSize = 16 * 1024;

    private readonly StepLeader _process;
    private readonly ProcessGroup _group;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Task _pumps;
    private readonly ShellExecutorOptions _options;
    private readonly TimeProvider _time;

    private StepProcess(StepLeader process, bool ownsSession, Action<LogStream, string, bool> onLine, ShellExecutorOptions options, TimeProvider time)
    {
        _process = process;
        _group = new ProcessGroup(process, ownsSession);
        _options = options;
        _time = time;
        _pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, (line, continues) => onLine(LogStream.Stdout, line, continues), _stopReading.Token),
            PumpAsync(process.StandardError, (line, continues) => onLine(LogStream.Stderr, line, continues), _stopReading.Token));
    }

    /// <summary>Starts the step: with posix_spawn in a session of its own and reaped by the <see cref="StepReaper"/>
    /// where this host allows it, else through <see cref="Process"/> under <c>setsid</c>. Throws
    /// <see cref="System.ComponentModel.Win32Exception"/> when the shell cannot be started.</summary>
    public static StepProcess Start(
        ShellCommand shell,
        string script,
        string workingDirectory,
        IEnumerable<KeyValuePair<string, string>> environment,
        UnixAccount? account,
        Action<LogStream, string, bool> onLine,
        ShellExecutorOptions options,
        TimeProvider time)
    {
        if (StepReaper.Shared is { } reaper)
        {
            return new StepProcess(
                Spawn(reaper, shell, shell.Arguments(script, account, options.JobNice), workingDirectory, environment, options.JobNice), ownsSession: true, onLine, options, time);
        }

        // The environment is exactly what the caller built: nothing of this process's own goes along unasked.
        var info = shell.StartInfo(script, workingDirectory, account, options.JobNice);
        info.Environment.Clear();

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        Lower(shell, process.Id, options.JobNice, group: shell.SetsidPath is not null);
        return new StepProcess(new ProcessLeader(process), shell.SetsidPath is not null, onLine, options, time);
    }

    private static SpawnedLeader Spawn(
        StepReaper reaper, ShellCommand shell, List<string> argv, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, int jobNice)
    {
        var started = PosixSpawn.Start(argv, environment, workingDirectory);
        Lower(shell, started.Pid, jobNice, group: true);
        Task<int> exit;
        try
        {
            exit = reaper.Watch(started.Pid);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Out of file descriptors, most likely: the step cannot be watched, so it must not run unwatched either.
            StepReaper.KillAndReap(started.Pid);
            _ = PosixSpawn.Close(started.StdoutFd);
            _ = PosixSpawn.Close(started.StderrFd);
            throw;
        }

        return new SpawnedLeader(started, exit);
    }

    /// <summary>Lowers a started step's priority: its session's only where it started behind <c>nice</c> already
    /// (lowered from here too, the two would add up), else its process and group as well.</summary>
    private static void Lower(ShellCommand shell, int pid, int jobNice, bool group)
    {
        if (shell.NicePath is null)
        {
            ProcessPriority.Lower(pid, jobNice, group);
        }
        else if (group)
        {
            ProcessPriority.LowerSession(pid, jobNice);
        }
    }

    /// <summary>Starts a program (not a script) as a step does: <paramref name="info"/> must redirect all three streams and
    /// carry exactly the environment the program gets; <paramref name="ownsSession"/> when it runs under <c>setsid</c>.</summary>
    public static StepProcess StartProgram(
        ProcessStartInfo info, bool ownsSession, Action<LogStream, string, bool> onLine, ShellExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(info);
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        ProcessPriority.Lower(process.Id, options.JobNice, group: ownsSession);
        return new StepProcess(new ProcessLeader(process), ownsSession, onLine, options, time);
    }

    /// <summary>Waits for the step to end on its own or for <paramref name="stop"/>; either way its whole process group
    /// is gone and its output read when this returns. The exit code, or null when it was stopped.</summary>
    public async Task<int?> RunToEndAsync(CancellationToken stop)
    {
        var stopped = false;
        try
        {
            await _process.WaitForExitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            stopped = true;
        }

        // A normal exit may leave background jobs behind; they must not outlive the step either.
        await _group.TerminateAsync(_options.KillGracePeriod, _time);
        if (stopped)
        {
            await WaitForLeaderAsync();
        }

        await DrainAsync();
        return stopped || !_process.HasExited ? null : _process.ExitCode;
    }

    /// <summary>Sends SIGKILL to the whole group now; <see cref="RunToEndAsync"/> then sees it gone.</summary>
    public void KillNow() => _group.KillNow();

    public void Dispose()
    {
        _stopReading.Cancel();
        _stopReading.Dispose();
        _process.Dispose();
    }

    private async Task WaitForLeaderAsync()
    {
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(_options.KillGracePeriod, _time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // SIGKILL was sent; an unkillable process (uninterruptible I/O) must not hold the job forever.
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            await _pumps.WaitAsync(_options.OutputDrainTimeout, _time, CancellationToken.None);
            return;
        }
        catch (TimeoutException)
        {
            // Something outside the group still holds a pipe open: keep what was read and stop listening.
        }

        await _stopReading.CancelAsync();
        try
        {
            await _pumps.WaitAsync(TimeSpan.FromSeconds(1), _time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }
    }

    private static async Task PumpAsync(Stream stream, Action<string, bool> emit, CancellationToken cancellationToken)
    {
        var splitter = new LineSplitter(emit);
        var buffer = new byte[ReadBufferSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                splitter.Write(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            splitter.Flush();
        }
    }
}
