namespace Cairn.Core.Secrets;

/// <summary>The append-only record of every change a person made (and of each secret a job read): entries are appended and
/// listed, never changed or removed.</summary>
public interface IAuditLog
{
    Task<AuditEntry> AppendAuditAsync(NewAuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The entries <paramref name="query"/> asks for, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Newest first, those with an id below <paramref name="beforeId"/> when given, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        ListAuditAsync(new AuditQuery(BeforeId: beforeId, Limit: limit), cancellationToken);
}
