using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Executors.Agent;

/// <summary>Agent jobs on the agent executor whatever runner they name (their runner alias only routes them); every other
/// job as <paramref name="inner"/> decides.</summary>
public sealed class AgentExecutorResolver(IExecutorResolver inner, IExecutor agents) : IExecutorResolver
{
    public ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!string.Equals(definition.Kind, "agent", StringComparison.Ordinal))
        {
            return inner.Resolve(job, definition);
        }

        var routed = inner.Resolve(job, definition).Executor?.Name;
        return ExecutorChoice.Of(agents) with
        {
            Warning = routed is "container" or "kubernetes"
                ? $"runner '{definition.Runner}' names the {routed} executor: agent jobs run on this host's agent executor, the runner only routes them"
                : null,
        };
    }
}
