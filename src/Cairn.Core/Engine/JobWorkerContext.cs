using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>What a worker runs with: the queue, what an attempt records, who moves a run on and where jobs go. On the
/// store for the server, <c>cairn run</c> and a direct-store worker; over HTTP for a worker that holds only its token.</summary>
public sealed record JobWorkerContext(
    IJobQueue Queue,
    IJobAttemptStore Store,
    IRunAdvancer Coordinator,
    IExecutorResolver Executors,
    IWorkspaceProvider Workspaces,
    ISecretSource Secrets,
    IRunObserver Observer,
    RetryPolicy Retry,
    TimeProvider Time)
{
    /// <summary>The cap on the UTF-8 bytes of output one job attempt stores; past it the rest is dropped, saying so.</summary>
    public long MaxLogBytes { get; init; } = JobReporter.DefaultMaxLogBytes;

    /// <summary>How long the write of a job's outcome may take, retries included, before the attempt gives up on it
    /// (the lease then expires and the reaper decides). Longer for a worker whose server may be restarting.</summary>
    public TimeSpan FinalWriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Hands a job whose executor fetches its own source (<see cref="IFetchesOwnSource"/>) where to fetch it
    /// from; null where there is no Cairn server to fetch from (<c>cairn run</c>).</summary>
    public IJobSourceIssuer? Sources { get; init; }

    /// <summary>The repositories' daily agent budget: an agent job it refuses is given back to the queue until the
    /// budget allows it; null: no budget.</summary>
    public Agents.IAgentBudget? AgentBudget { get; init; }

    /// <summary>Where each attempt keeps its artifacts and caches and finds those it brings in; null: nowhere (a job
    /// that asks for artifacts or caches is told so in its log).</summary>
    public Artifacts.IJobStashes? Stashes { get; init; }

    /// <summary>Where an attempt logs its lease and its end, in a scope that names the run and the job; null: nowhere.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }
}
