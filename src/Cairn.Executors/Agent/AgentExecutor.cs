using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Executors.Agent;

/// <summary>Runs agent jobs on this host (<see cref="StepSequencer"/> drives them): step 0 is the agent CLI in its own
/// worktree of the job's repository, on the job's <c>cairn/*</c> branch; the steps after it verify its change.</summary>
public sealed class AgentExecutor(AgentExecutorOptions options, TimeProvider time) : IExecutor
{
    public string Name => "agent";

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        if (job.Agent is not { } agent)
        {
            return JobOutcome.Failed(FailureClass.Config, "the agent executor runs only agent jobs");
        }

        using var environment = new AgentJobEnvironment(job, agent, reporter, options, time);
        return await StepSequencer.RunAsync(job, reporter, environment, time, cancellationToken);
    }
}
