using Cairn.Core.Secrets;

namespace Cairn.Server.Access;

/// <summary>Appends what a caller did to the audit log: who (user, and the token they used), what, on which repository
/// and target, from which address, and how it ended.</summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider time)
{
    public Task RecordAsync(
        Caller caller, string action, string? repository, string? target, string outcome, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(action);
        var said = string.Join("; ", new[] { target, outcome == Core.Access.AuditOutcomes.Ok ? null : outcome, detail }.Where(s => s is { Length: > 0 }));
        return log.AppendAuditAsync(
            new NewAuditEntry(time.GetUtcNow(), null, null, repository, null, action, caller.Actor, said.Length == 0 ? null : said),
            cancellationToken);
    }
}
