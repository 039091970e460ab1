using System.Diagnostics;

namespace Cairn.Executors.Shell;

/// <summary>A small shell process, one per executor, that kills the running steps' process groups when this process
/// dies, however it dies (kill -9 included). Each step runs under <c>setsid</c>, so it does not share this process's fate
/// by itself.
///
/// Why this design: Linux's PR_SET_PDEATHSIG would be the obvious tool, but it must be set between fork and exec
/// (which .NET does not let us do), and it fires when the forking <i>thread</i> exits, not the process, and .NET starts
/// processes from whatever pool thread asks. A watchdog inside each step's group would cost a process and a poll loop
/// per step, and would keep the group alive after the step's shell ends, which the executor reads as leftovers to
/// terminate. Telling a watcher about each step as it starts and ends cost about half a millisecond of CPU per step
/// (it wakes the watcher twice). So each step only carries <see cref="Variable"/> set to this executor's random token in
/// its environment, and the sentinel sleeps on a pipe whose only writer is this process and which is never written.
/// When this process dies the kernel closes the pipe, the sentinel reads end of file, finds the processes whose initial
/// environment holds the token (<c>/proc/*/environ</c>), and sends SIGTERM, then SIGKILL a second later, to their
/// process groups. The token is random, so a reused pid is never mistaken for a step; a group is killed whole only
/// when its leader carries the token too, so a step's process that has not yet left our group cannot take the group
/// of whoever started this process down with it.</summary>
internal sealed class StepGroupSentinel : IDisposable
{
    /// <summary>The environment variable that marks a step's processes as this executor's.</summary>
    public const string Variable = "CAIRN_STEP_OWNER";

    // POSIX sh plus grep, so it works wherever the steps' own shell does. $1 is the token.
    private const string Script = """
        trap '' INT HUP TERM
        while read -r _; do :; done
        mark="CAIRN_STEP_OWNER=$1"
        stop() {
          for file in $(grep -lzaxF "$mark" /proc/[0-9]*/environ 2>/dev/null); do
            pid=${file#/proc/}; pid=${pid%/environ}
            stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
            set -- ${stat##*) }
            if [ "$3" = "$pid" ] || grep -qzaxF "$mark" "/proc/$3/environ" 2>/dev/null; then
              kill "-$signal" "-$3" 2>/dev/null
            else
              kill "-$signal" "$pid" 2>/dev/null
            fi
          done
        }
        signal=15; stop
        sleep 1
        signal=9; stop
        """;

    private readonly Lock _gate = new();
    private readonly ShellCommand _shell;
    private Process? _process;

    private readonly string _ownerDirectory;

    public StepGroupSentinel(ShellCommand shell, string? ownerDirectory = null)
    {
        _shell = shell;
        _ownerDirectory = ownerDirectory ?? StepOwnerRegistry.DefaultDirectory;
    }

    /// <summary>The sentinel's pid once started, for tests.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process?.Id;
            }
        }
    }

    /// <summary>The value of <see cref="Variable"/> for this executor's steps.</summary>
    public string Token { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Starts the sentinel unless it runs: call before a step starts. Someone may have killed it; then
    /// another one starts.</summary>
    public void EnsureRunning()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                return;
            }

            _process?.Dispose();
            _process = Start();
            StepOwnerRegistry.Register(_ownerDirectory, Token);
        }
    }

    /// <summary>Closes the pipe as this process's death would: the sentinel then kills whatever is still listed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_process is null)
            {
                return;
            }

            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            _process.Dispose();
            _process = null;
            StepOwnerRegistry.Unregister(_ownerDirectory, Token);
        }
    }

    private Process Start()
    {
        var info = new ProcessStartInfo(_shell.SetsidPath ?? _shell.ShellPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };

        // Its own session: a Ctrl-C or SIGTERM to this process's group must not reach it before it is needed. Without
        // setsid (steps spawned in sessions of their own on a host without util-linux) the traps alone keep it alive.
        if (_shell.SetsidPath is not null)
        {
            info.ArgumentList.Add(_shell.ShellPath);
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("cairn-step-sentinel");
        info.ArgumentList.Add(Token);
        info.Environment.Remove(Variable);
        return Process.Start(info) ?? throw new InvalidOperationException("the step sentinel did not start");
    }
}
