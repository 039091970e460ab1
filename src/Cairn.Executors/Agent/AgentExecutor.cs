using Cairn.Core.Execution;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Agent;

/// <summary>Runs agent jobs on this host (<see cref="StepSequencer"/> drives them): step 0 is the agent CLI in its own
/// worktree of the job's repository, on the job's <c>cairn/*</c> branch; the steps after it verify its change.</summary>
public sealed class AgentExecutor(AgentExecutorOptions options, TimeProvider time) : IExecutor, IDisposable
{
    private readonly Lazy<ShellCommand?> _shell = new(() => ShellCommand.Locate(options.Shell));
    private StepGroupSentinel? _sentinel;

    public string Name => "agent";

    /// <summary>The watcher that kills this executor's agents and verify steps should this process die (kill -9), as the
    /// shell executor's kills its steps; null where steps need not die with their host.</summary>
    private StepGroupSentinel? Sentinel =>
        options.Shell.KillStepsWithHost && _shell.Value is { OwnsSession: true } shell
            ? LazyInitializer.EnsureInitialized(ref _sentinel, () => new StepGroupSentinel(shell, options.Shell.StepOwnerDirectory))
            : null;

    public void Dispose() => _sentinel?.Dispose();

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        if (job.Agent is not { } agent)
        {
            return JobOutcome.Failed(FailureClass.Config, "the agent executor runs only agent jobs");
        }

        using var environment = new AgentJobEnvironment(job, agent, reporter, options, time, () => Sentinel);
        return await StepSequencer.RunAsync(job, reporter, environment, time, cancellationToken);
    }
}
