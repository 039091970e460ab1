using System.Diagnostics;
using System.Globalization;

namespace Cairn.Executors.Shell;

/// <summary>A small shell process, one per executor, that kills the live steps' process groups when this process dies,
/// however it dies (kill -9 included). Each step runs under <c>setsid</c>, so it does not share this process's fate
/// by itself.
///
/// Why this design: Linux's PR_SET_PDEATHSIG would be the obvious tool, but it must be set between fork and exec
/// (which .NET does not let us do), and it fires when the forking <i>thread</i> exits, not the process, and .NET starts
/// processes from whatever pool thread asks. A watchdog inside each step's group would cost a process and a poll loop
/// per step, and would keep the group alive after the step's shell ends, which the executor reads as leftovers to
/// terminate. Instead the sentinel holds the read end of a pipe whose only writer is this process: we tell it
/// <c>+pgid</c> when a step starts and <c>-pgid</c> when its group is gone. When this process dies the kernel closes
/// the write end, the sentinel reads end of file, and it sends SIGTERM, then SIGKILL a second later, to every group
/// still listed. The cost per step is two short writes to a pipe; the sentinel itself starts once, with the first
/// step. Groups are only listed while this process still holds their leaders as unreaped children or has just seen
/// them go, so a pid reused by someone else is not killed.</summary>
internal sealed class StepGroupSentinel : IDisposable
{
    // POSIX sh, so it works wherever the steps' own shell does. Groups are kept as " 12 34 " in one variable.
    private const string Script = """
        trap '' INT HUP TERM
        live=' '
        while read -r op id; do
          case $op in
            +) live="$live$id " ;;
            -) case $live in *" $id "*) live="${live%% $id *} ${live#* $id }" ;; esac ;;
          esac
        done
        [ -z "${live# }" ] && exit 0
        for id in $live; do kill -15 "-$id" 2>/dev/null || kill -15 "$id" 2>/dev/null; done
        sleep 1
        for id in $live; do kill -9 "-$id" 2>/dev/null || kill -9 "$id" 2>/dev/null; done
        """;

    private readonly Lock _gate = new();
    private readonly ShellCommand _shell;
    private Process? _process;

    public StepGroupSentinel(ShellCommand shell)
    {
        _shell = shell;
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

    /// <summary>Lists a step's group: from now on it dies with this process.</summary>
    public void Watch(int groupId) => Send('+', groupId);

    /// <summary>Unlists a step's group once it is gone.</summary>
    public void Forget(int groupId) => Send('-', groupId);

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
        }
    }

    private void Send(char op, int groupId)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{op}{' '}{groupId}\n");
        lock (_gate)
        {
            for (var tries = 0; tries < 2; tries++)
            {
                try
                {
                    var input = (_process ??= Start()).StandardInput;
                    input.Write(line);
                    input.Flush();
                    return;
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Someone killed the sentinel: start another. Its list starts empty, so a step already running is
                    // unprotected until it ends; new steps are covered again.
                    _process?.Dispose();
                    _process = null;
                }
            }
        }
    }

    private Process Start()
    {
        var info = new ProcessStartInfo(_shell.SetsidPath!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };

        // Its own session: a Ctrl-C or SIGTERM to this process's group must not reach it before it is needed.
        info.ArgumentList.Add(_shell.ShellPath);
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        var process = Process.Start(info) ?? throw new InvalidOperationException("the step sentinel did not start");
        process.StandardInput.AutoFlush = false;
        return process;
    }
}
