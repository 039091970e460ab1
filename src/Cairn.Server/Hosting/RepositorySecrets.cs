using System.Security.Cryptography;
using Cairn.Core.Repositories;
using Cairn.Core.Secrets;

namespace Cairn.Server.Hosting;

/// <summary>Seals and opens a repository's webhook secret and status token. Each is bound to its repository and its
/// purpose, so a sealed value copied to another row or column does not open.</summary>
public sealed class RepositorySecrets(SecretCipher cipher)
{
    public byte[]? SealWebhookSecret(string repository, string? value) => Seal(repository, "webhook-secret", value);

    public byte[]? SealStatusToken(string repository, string? value) => Seal(repository, "status-token", value);

    /// <summary>The webhook secret, or null when there is none or it no longer opens (the master key changed).</summary>
    public string? WebhookSecret(RepositoryRecord repository) => Open(repository?.Name!, "webhook-secret", repository?.SealedWebhookSecret);

    public string? StatusToken(RepositoryRecord repository) => Open(repository?.Name!, "status-token", repository?.SealedStatusToken);

    private byte[]? Seal(string repository, string purpose, string? value) =>
        string.IsNullOrEmpty(value) ? null : cipher.Seal(value, Associated(repository, purpose));

    private string? Open(string repository, string purpose, byte[]? sealedValue)
    {
        if (sealedValue is null)
        {
            return null;
        }

        try
        {
            return cipher.Open(sealedValue, Associated(repository, purpose));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string Associated(string repository, string purpose) => $"repository:{repository.ToUpperInvariant()}:{purpose}";
}
