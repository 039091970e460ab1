using System.Security.Cryptography;
using Cairn.Core.Repositories;
using Cairn.Core.Secrets;

namespace Cairn.Server.Hosting;

/// <summary>Seals and opens what the server keeps under the master key: a repository's webhook secret and status token,
/// and the secrets jobs read. Each is bound to its repository (or to being global) and its purpose or name, so a sealed
/// value copied to another row or column does not open.</summary>
public sealed class RepositorySecrets(SecretCipher cipher)
{
    public byte[]? SealWebhookSecret(string repository, string? value) => Seal(repository, "webhook-secret", value);

    /// <summary>Seals the repository's forge token: what posts its commit statuses and clones it. Its purpose stays
    /// "status-token" (the API's <c>statusToken</c> field), so values sealed before keep opening.</summary>
    public byte[]? SealForgeToken(string repository, string? value) => Seal(repository, "status-token", value);

    /// <summary>The webhook secret, or null when there is none or it no longer opens (the master key changed).</summary>
    public string? WebhookSecret(RepositoryRecord repository) =>
        Open(repository ?? throw new ArgumentNullException(nameof(repository)), "webhook-secret", repository.SealedWebhookSecret);

    /// <summary>The forge token (statuses and clones), or null when there is none or it no longer opens.</summary>
    public string? ForgeToken(RepositoryRecord repository) =>
        Open(repository ?? throw new ArgumentNullException(nameof(repository)), "status-token", repository.SealedForgeToken);

    /// <summary>Seals a secret's value for its scope (a repository's full name, or null for a global secret) and name.</summary>
    public byte[] SealSecret(string? scope, string name, string value) => cipher.Seal(value, SecretAssociated(scope, name));

    /// <summary>The secret's value. Throws <see cref="CryptographicException"/> when it does not open: sealed under
    /// another master key, or moved to another scope or name.</summary>
    public string OpenSecret(SealedSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return cipher.Open(secret.SealedValue, SecretAssociated(secret.Scope, secret.Name));
    }

    private static string SecretAssociated(string? scope, string name) =>
        scope is null ? $"global:secret:{name}" : Associated(scope, $"secret:{name}");

    private byte[]? Seal(string repository, string purpose, string? value) =>
        string.IsNullOrEmpty(value) ? null : cipher.Seal(value, Associated(repository, purpose));

    private string? Open(RepositoryRecord repository, string purpose, byte[]? sealedValue)
    {
        if (sealedValue is null)
        {
            return null;
        }

        try
        {
            return cipher.Open(sealedValue, Associated(repository.Name, purpose));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string Associated(string repository, string purpose) => $"repository:{repository.ToUpperInvariant()}:{purpose}";
}
