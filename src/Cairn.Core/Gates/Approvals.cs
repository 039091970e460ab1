namespace Cairn.Core.Gates;

/// <summary>Where an approval or a rejection of a gate came from: every channel counts the same and is audited by name.</summary>
public enum ApprovalChannel
{
    Dashboard,
    Cli,
    Api,

    /// <summary>A forge's review approving the pull request (GitHub <c>pull_request_review</c>, Gitea <c>pull_request_approved</c>).</summary>
    ForgeReview,

    /// <summary>A Plane comment holding <c>:approved:</c> (or <c>:rejected:</c>) by an allowed person.</summary>
    Tracker,
}

public static class ApprovalChannelNames
{
    public static string ToWire(this ApprovalChannel channel) => channel switch
    {
        ApprovalChannel.Dashboard => "dashboard",
        ApprovalChannel.Cli => "cli",
        ApprovalChannel.Api => "api",
        ApprovalChannel.ForgeReview => "forge-review",
        ApprovalChannel.Tracker => "tracker",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static bool TryParse(string? value, out ApprovalChannel channel)
    {
        foreach (var candidate in Enum.GetValues<ApprovalChannel>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                channel = candidate;
                return true;
            }
        }

        channel = default;
        return false;
    }
}

/// <summary>An approval job once its needs ended: it waits (job status <c>waiting</c>, <see cref="OpenedAt"/> set) for
/// <see cref="Min"/> approvals of the commit <see cref="Sha"/> from people <see cref="Approvers"/> names, until
/// <see cref="Deadline"/>.</summary>
/// <param name="Approvers">As written: user names, <c>team:NAME</c>, <c>role:maintainer</c>/<c>role:admin</c>.</param>
/// <param name="Sha">The commit the gate asks about: the branch tip of the agent job before it, else the run's commit.</param>
/// <param name="Triggerer">The Cairn user or forge login that started the run: cannot approve it alone.</param>
public sealed record GateRecord(
    long JobId,
    long RunId,
    string Repository,
    IReadOnlyList<string> Approvers,
    int Min,
    string? Sha,
    string? Triggerer,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline);

/// <summary>One person's approval or rejection of a gate, bound to the commit they saw.</summary>
public sealed record ApprovalRecord(
    long Id,
    long RunId,
    long JobId,
    string Person,
    ApprovalChannel Channel,
    bool Approved,
    string? Sha,
    string? Comment,
    DateTimeOffset At);

public sealed record NewApproval(long RunId, long JobId, string Person, ApprovalChannel Channel, bool Approved, string? Sha, string? Comment, DateTimeOffset At);

/// <summary>Gates and their approvals. Opening and deciding a gate are compare-and-sets on the job's status.</summary>
public interface IApprovalStore
{
    /// <summary>Opens the gate of a waiting approval job whose needs ended: records it and sets the job's pending
    /// reason, the job staying <c>waiting</c>. False when the job is not waiting or its gate is open already.</summary>
    Task<bool> OpenGateAsync(GateRecord gate, string pendingReason, CancellationToken cancellationToken);

    Task<GateRecord?> GetGateAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Gates whose job still waits, oldest first (for deadlines and forge reviews).</summary>
    Task<IReadOnlyList<GateRecord>> GetOpenGatesAsync(CancellationToken cancellationToken);

    /// <summary>Records one decision; a person's later decision on the same gate and commit replaces their earlier one.</summary>
    Task<ApprovalRecord> AddApprovalAsync(NewApproval approval, CancellationToken cancellationToken);

    /// <summary>A run's approvals, oldest first.</summary>
    Task<IReadOnlyList<ApprovalRecord>> GetApprovalsAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Sets the waiting gate's pending reason (how many approvals it has of how many), unless it was decided.</summary>
    Task<bool> SetGateReasonAsync(long jobId, string pendingReason, CancellationToken cancellationToken);

    /// <summary>Ends an open gate's job (a compare-and-set on it still waiting, one of <see cref="Runs.GateStatusTransitions"/>):
    /// its start is when the gate opened, its end the transition's time, with its class and detail. False when it was no
    /// longer waiting or has no gate.</summary>
    Task<bool> EndGateAsync(long jobId, Runs.JobStatus to, Runs.JobTransition transition, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this store keeps no gates");
}
