using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;

namespace Cairn.Core.Trackers;

/// <summary>What a run started by a tracker's work item tells the work item, as comments queued in the durable outbox:
/// the run started (with its link), a gate waits for approval, a pull request was opened, the run finished. Runs of
/// other triggers are passed over. Never throws for the tracker's sake: a comment that cannot be queued is logged.</summary>
public interface IWorkItemNotifier
{
    Task RunStartedAsync(RunRecord run, CancellationToken cancellationToken);

    Task GateWaitingAsync(RunRecord run, GateRecord gate, CancellationToken cancellationToken);

    Task PullRequestOpenedAsync(RunRecord run, PullRequestRecord pullRequest, CancellationToken cancellationToken);

    Task RunFinishedAsync(RunRecord run, CancellationToken cancellationToken);
}

/// <summary>Tells nobody: where no tracker is wired (<c>cairn run</c>, tests).</summary>
public sealed class NoWorkItemNotifier : IWorkItemNotifier
{
    public static NoWorkItemNotifier Instance { get; } = new();

    public Task RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task GateWaitingAsync(RunRecord run, GateRecord gate, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PullRequestOpenedAsync(RunRecord run, PullRequestRecord pullRequest, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => Task.CompletedTask;
}
