namespace Cairn.Core.Secrets;

/// <summary>The append-only record of what was done with secrets, and of the runs a person approved or rejected.</summary>
public interface IAuditLog
{
    Task<AuditEntry> AppendAuditAsync(NewAuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first, those with an id below <paramref name="beforeId"/> when given, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeId, int limit, CancellationToken cancellationToken);
}
