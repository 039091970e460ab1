using Cairn.Core.Engine;
using Cairn.Core.Runs;

namespace Cairn.Server.Hosting;

/// <summary>The one place a <see cref="JobWorkerContext"/> is put together, for the server, <c>cairn worker</c> and
/// <c>cairn run</c> alike: jobs are leased from and recorded in the same store, retried by the one policy, and moved on
/// by a coordinator on that store. Only what differs between them is named here.</summary>
public sealed record JobWorkerContextBuilder
{
    /// <summary>The executors jobs run on, by runner alias.</summary>
    public required IExecutorResolver Executors { get; init; }

    /// <summary>Where each job's files are: a worktree, a scratch directory, or the folder a local run started in.</summary>
    public required IWorkspaceProvider Workspaces { get; init; }

    /// <summary>The secrets jobs read.</summary>
    public required ISecretSource Secrets { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>Who hears of jobs, steps and log lines as they happen; nobody when not set.</summary>
    public IRunObserver Observer { get; init; } = NullRunObserver.Instance;

    /// <summary>The coordinator the host shares with its other parts; when not set, one on the store given to
    /// <see cref="Build{TStore}"/>.</summary>
    public RunCoordinator? Coordinator { get; init; }

    /// <summary>Hands out where a job that fetches its own source gets it; none when not set (<c>cairn run</c>).</summary>
    public IJobSourceIssuer? Sources { get; init; }

    /// <summary>The repositories' daily agent budget; none when not set.</summary>
    public Core.Agents.IAgentBudget? AgentBudget { get; init; }

    /// <summary>Where each attempt keeps its artifacts and caches; none when not set.</summary>
    public Core.Artifacts.IJobStashes? Stashes { get; init; }

    /// <summary>Where attempts log their lease and end, in a scope naming the run and job; nowhere when not set.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }

    /// <summary>Workers that lease jobs from <paramref name="store"/> and record them in it.</summary>
    public JobWorkerContext Build<TStore>(TStore store)
        where TStore : IRunStore, IJobQueue
    {
        ArgumentNullException.ThrowIfNull(store);
        return new JobWorkerContext(
            Queue: store,
            Store: store,
            Coordinator: Coordinator ?? new RunCoordinator(store, Time),
            Executors: Executors,
            Workspaces: Workspaces,
            Secrets: Secrets,
            Observer: Observer,
            Retry: new RetryPolicy(),
            Time: Time)
        {
            Sources = Sources,
            AgentBudget = AgentBudget,
            Stashes = Stashes,
            Log = Log,
        };
    }
}
