namespace Cairn.Core.Gates;

/// <summary>How a decision on a gate ended.</summary>
public abstract record GateDecision
{
    private GateDecision()
    {
    }

    /// <summary>Recorded. <see cref="Decided"/> when it opened or closed the gate (the job succeeded, or was rejected);
    /// else the gate still waits for more approvals.</summary>
    public sealed record Recorded(ApprovalRecord Approval, bool Decided, string Summary) : GateDecision;

    /// <summary>Not recorded, and why, in a sentence safe to show the person (not allowed to approve, the gate is not
    /// open, the commit moved on, the run's own triggerer approving alone...).</summary>
    public sealed record Refused(string Reason) : GateDecision;

    public sealed record NotFound : GateDecision;
}

/// <summary>Approves or rejects a gate, whatever the channel: the dashboard, the CLI, the API, a forge review, a tracker
/// comment. Checks who may, binds the decision to the commit, audits it with its channel, and decides the gate.</summary>
public interface IGateDecisions
{
    /// <param name="person">The Cairn user deciding.</param>
    /// <param name="sha">The commit the person saw; null: the gate's commit as it is now.</param>
    Task<GateDecision> DecideAsync(
        long runId, long jobId, string person, ApprovalChannel channel, bool approve, string? sha, string? comment,
        CancellationToken cancellationToken);
}
