using Cairn.Core.Engine;
using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;

namespace Cairn.Cli.Commands;

/// <summary>How <c>cairn run</c> decides an approval gate, with nobody but the person at the terminal to ask.</summary>
internal enum LocalGateMode
{
    /// <summary>Ask at the terminal: y approves, anything else rejects.</summary>
    Ask,

    /// <summary><c>--approve</c>: every gate is approved by the person running it.</summary>
    Approve,

    /// <summary>No terminal and no <c>--approve</c>: every gate is rejected, saying how to approve.</summary>
    Refuse,
}

/// <summary><c>cairn run</c>'s gates. When a gate opens, the person running the pipeline decides it — at the terminal, or
/// with <c>--approve</c> beforehand — and the decision is recorded as any approval is (channel <c>cli</c>), then the run
/// goes on. There is no second person on a laptop, so the rule that the run's triggerer never approves alone is a
/// server's; a local gate says so in its detail.</summary>
internal sealed class LocalGates(
    IApprovalStore store, IRunStore runs, LocalGateMode mode, string person, TextWriter console, TextReader terminal, TimeProvider time)
    : IWorkItemNotifier
{
    /// <summary>Why a gate is rejected when <c>cairn run</c> has nobody to ask.</summary>
    public const string RefusedDetail = "cairn run asks nobody for approval without a terminal: pass --approve to approve its gates";

    private readonly Lock _decisions = new();
    private Task _decided = Task.CompletedTask;

    /// <summary>What advances the run once a gate is decided: the coordinator this notifier was given to.</summary>
    public IRunAdvancer? Coordinator { get; set; }

    /// <summary>Which mode a run gets: <c>--approve</c> wins; else ask when both ends are a terminal.</summary>
    public static LocalGateMode ModeFor(bool approve, bool json) =>
        approve ? LocalGateMode.Approve
        : !json && !Console.IsInputRedirected && !Console.IsErrorRedirected ? LocalGateMode.Ask
        : LocalGateMode.Refuse;

    public Task GateWaitingAsync(RunRecord run, GateRecord gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(gate);

        // The coordinator is inside the run's advance while it tells this: the decision, which advances the run again,
        // comes after it, one gate at a time (a question at the terminal is answered before the next is asked).
        lock (_decisions)
        {
            _decided = _decided.ContinueWith(_ => DecideAsync(run, gate), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }

        return Task.CompletedTask;
    }

    public Task RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PullRequestOpenedAsync(RunRecord run, PullRequestRecord pullRequest, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task DecideAsync(RunRecord run, GateRecord gate)
    {
        var job = await runs.GetJobAsync(gate.JobId, CancellationToken.None);
        var name = job?.Name ?? $"job {gate.JobId}";
        var commit = gate.Sha is { Length: >= 7 } sha ? sha[..7] : "the run's commit";
        var approvers = gate.Approvers.Count == 0 ? "anyone" : string.Join(", ", gate.Approvers);
        var (approved, comment) = mode switch
        {
            LocalGateMode.Approve => (true, "cairn run --approve"),
            LocalGateMode.Ask => await AskAsync(name, approvers, commit),
            _ => (false, RefusedDetail),
        };

        var now = time.GetUtcNow();
        await store.AddApprovalAsync(new NewApproval(run.Id, gate.JobId, person, ApprovalChannel.Cli, approved, gate.Sha, comment, now), CancellationToken.None);
        var detail = approved
            ? $"{GateReasons.Approved([person])} ({comment}; on this machine, whoever runs it approves alone)"
            : GateReasons.Rejected(person, ApprovalChannel.Cli, comment);
        var transition = new JobTransition(now, approved ? null : Core.Runs.FailureClass.Cancelled, detail);
        if (await store.EndGateAsync(gate.JobId, approved ? JobStatus.Succeeded : JobStatus.Cancelled, transition, CancellationToken.None))
        {
            await console.WriteLineAsync($"{name}: {detail}");
        }

        if (Coordinator is { } coordinator)
        {
            await coordinator.AdvanceAsync(run.Id, CancellationToken.None);
        }
    }

    private async Task<(bool Approved, string Comment)> AskAsync(string name, string approvers, string commit)
    {
        await console.WriteLineAsync($"{name}: waiting for approval by {approvers} of {commit}");
        await console.WriteAsync($"{name}: approve? [y/N] ");
        await console.FlushAsync();
        var answer = (await terminal.ReadLineAsync())?.Trim();
        return answer is { Length: > 0 } a && (a.Equals("y", StringComparison.OrdinalIgnoreCase) || a.Equals("yes", StringComparison.OrdinalIgnoreCase))
            ? (true, "at the terminal")
            : (false, "at the terminal");
    }
}
