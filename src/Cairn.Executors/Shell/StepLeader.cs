using System.Diagnostics;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Executors.Shell;

/// <summary>The first process of a step, whose exit ends the step: started by <see cref="PosixSpawn"/> and reaped by the
/// <see cref="StepReaper"/>, or, where that cannot be used and for programs given as a <see cref="ProcessStartInfo"/>,
/// a <see cref="Process"/>.</summary>
internal abstract class StepLeader : IDisposable
{
    public abstract int Id { get; }

    public abstract bool HasExited { get; }

    /// <summary>Its exit code, 128 + the signal when a signal ended it; only once <see cref="HasExited"/>.</summary>
    public abstract int ExitCode { get; }

    public abstract Stream StandardOutput { get; }

    public abstract Stream StandardError { get; }

    public abstract Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Kills the leader and what it started, found through its descendants (for a leader without a session).</summary>
    public abstract void KillTree();

    public abstract void Dispose();
}

/// <summary>A step's shell started by <see cref="PosixSpawn"/>, in its own session.</summary>
internal sealed class SpawnedLeader(PosixSpawn.Started started, Task<int> exit) : StepLeader
{
    // PipeStream reads a pipe through the runtime's epoll engine, as Process's own redirected streams do.
    private readonly AnonymousPipeClientStream _stdout = new(PipeDirection.In, new SafePipeHandle(started.StdoutFd, ownsHandle: true));
    private readonly AnonymousPipeClientStream _stderr = new(PipeDirection.In, new SafePipeHandle(started.StderrFd, ownsHandle: true));

    public override int Id => started.Pid;

    public override bool HasExited => exit.IsCompleted;

    public override int ExitCode => exit.Result;

    public override Stream StandardOutput => _stdout;

    public override Stream StandardError => _stderr;

    public override Task WaitForExitAsync(CancellationToken cancellationToken) => exit.WaitAsync(cancellationToken);

    // It leads its own session and process group: ProcessGroup signals the group instead.
    public override void KillTree() => _ = ProcessGroup.Kill(-started.Pid, 9);

    // The reaper keeps watching a process still running and reaps it when it ends.
    public override void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }
}

/// <summary>A step's program started through <see cref="Process"/>.</summary>
internal sealed class ProcessLeader : StepLeader
{
    private readonly Process _process;

    public ProcessLeader(Process process)
    {
        _process = process;

        // Nothing should wait on our stdin; a step that reads it sees end of file at once.
        process.StandardInput.Close();
    }

    public override int Id => _process.Id;

    public override bool HasExited => _process.HasExited;

    public override int ExitCode => _process.ExitCode;

    public override Stream StandardOutput => _process.StandardOutput.BaseStream;

    public override Stream StandardError => _process.StandardError.BaseStream;

    public override Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public override void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    public override void Dispose() => _process.Dispose();
}
