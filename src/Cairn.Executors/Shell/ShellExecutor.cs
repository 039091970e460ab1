using System.Collections.Concurrent;
using Cairn.Core.Execution;

namespace Cairn.Executors.Shell;

/// <summary>Runs each step as its own shell process on this host, in the job's workspace, one after another
/// (<see cref="StepSequencer"/> drives the steps; <see cref="ShellJobEnvironment"/> runs each).</summary>
public sealed class ShellExecutor(ShellExecutorOptions options, TimeProvider time) : IExecutor, IDisposable
{
    private readonly Lazy<ShellCommand?> _shell = new(() => ShellCommand.Locate(options));
    private readonly ConcurrentDictionary<StepProcess, byte> _running = new();
    private StepGroupSentinel? _sentinel;

    public ShellExecutor()
        : this(new ShellExecutorOptions(), TimeProvider.System)
    {
    }

    public string Name => "shell";

    public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        var environment = new ShellJobEnvironment(job, reporter, options, _shell.Value, () => Sentinel, _running, time);
        return StepSequencer.RunAsync(job, reporter, environment, time, cancellationToken);
    }

    /// <summary>Kills the steps left running by any cairn on this host that died together with its sentinel (found by
    /// the owner records every executor keeps). Call once at start; returns how many processes were killed.</summary>
    public int SweepLeftovers() => StepOwnerRegistry.Sweep(options.StepOwnerDirectory ?? StepOwnerRegistry.DefaultDirectory);

    /// <summary>Kills every running step's process group at once (SIGKILL), skipping the grace period: for an
    /// impatient second Ctrl-C. The steps then end as their cancellation says, and the run still ends properly.</summary>
    public void KillAllNow()
    {
        foreach (var process in _running.Keys)
        {
            process.KillNow();
        }
    }

    /// <summary>Ends the sentinel as this process's exit would, and takes this executor's owner record away with it: a
    /// record left behind names a dead owner, and the next cairn's sweep then reads every process's environment for its
    /// steps. Call once no step runs any more; a step started after it starts a new sentinel.</summary>
    public void Dispose() => Interlocked.Exchange(ref _sentinel, null)?.Dispose();

    private StepGroupSentinel? Sentinel =>
        options.KillStepsWithHost && _shell.Value is { OwnsSession: true } shell
            ? LazyInitializer.EnsureInitialized(ref _sentinel, () => new StepGroupSentinel(shell, options.StepOwnerDirectory))
            : null;
}
