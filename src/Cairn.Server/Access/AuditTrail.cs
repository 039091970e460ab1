using Cairn.Core.Access;
using Cairn.Core.Secrets;

namespace Cairn.Server.Access;

/// <summary>Appends what a caller did to the audit log: who (user, and the token they used), what, on which repository
/// and target, from which address, and how it ended, each in its own column.</summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider time)
{
    public Task RecordAsync(
        Caller caller, string action, string? repository, string? target, string outcome, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(outcome);
        return RecordAsync(
            caller, new NewAuditEntry(time.GetUtcNow(), null, null, repository, null, action, Detail: detail) { Target = target, Outcome = outcome },
            cancellationToken);
    }

    /// <summary>Appends <paramref name="entry"/> (for one that names a run or a secret) as the caller's: its actor, token
    /// and address are the caller's; its time, when not given, now.</summary>
    public Task<AuditEntry> RecordAsync(Caller caller, NewAuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(entry);
        return log.AppendAuditAsync(
            entry with { At = entry.At == default ? time.GetUtcNow() : entry.At, Actor = caller.Actor, TokenName = caller.TokenName, ClientAddress = caller.ClientAddress },
            cancellationToken);
    }

    /// <summary>The outcome of an action that either happened or did not.</summary>
    public static string OutcomeOf(bool done) => done ? AuditOutcomes.Ok : AuditOutcomes.Failed;
}
