using Cairn.Core.Secrets;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>Secrets, sealed, and the audit log of their use.</summary>
public abstract partial class CairnStore
{
    private readonly SecretRecords _secrets;

    public Task<bool> PutSecretAsync(string? scope, string name, byte[] sealedValue, DateTimeOffset at, CancellationToken cancellationToken) =>
        _secrets.PutSecretAsync(scope, name, sealedValue, at, cancellationToken);

    public Task<bool> DeleteSecretAsync(string? scope, string name, CancellationToken cancellationToken) =>
        _secrets.DeleteSecretAsync(scope, name, cancellationToken);

    public Task<IReadOnlyList<SecretEntry>> ListSecretsAsync(string? scope, CancellationToken cancellationToken) =>
        _secrets.ListSecretsAsync(scope, cancellationToken);

    public Task<IReadOnlyList<SecretEntry>> ListAllSecretsAsync(CancellationToken cancellationToken) =>
        _secrets.ListAllSecretsAsync(cancellationToken);

    public Task<SealedSecret?> GetSealedSecretAsync(string? scope, string name, CancellationToken cancellationToken) =>
        _secrets.GetSealedSecretAsync(scope, name, cancellationToken);

    public Task<AuditEntry> AppendAuditAsync(NewAuditEntry entry, CancellationToken cancellationToken) =>
        _secrets.AppendAuditAsync(entry, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _secrets.ListAuditAsync(query, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        _secrets.ListAuditAsync(new AuditQuery(BeforeId: beforeId, Limit: limit), cancellationToken);
}
