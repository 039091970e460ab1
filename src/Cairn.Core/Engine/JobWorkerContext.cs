using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>What a worker runs with: the queue, the store, the coordinator and where jobs go.</summary>
public sealed record JobWorkerContext(
    IJobQueue Queue,
    IRunStore Store,
    RunCoordinator Coordinator,
    IExecutorResolver Executors,
    IWorkspaceProvider Workspaces,
    ISecretSource Secrets,
    IRunObserver Observer,
    RetryPolicy Retry,
    TimeProvider Time)
{
    /// <summary>The cap on the UTF-8 bytes of output one job attempt stores; past it the rest is dropped, saying so.</summary>
    public long MaxLogBytes { get; init; } = JobReporter.DefaultMaxLogBytes;
}
