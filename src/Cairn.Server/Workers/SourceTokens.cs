using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Server.Workers;

/// <summary>The token a lease's worker fetches its run's source with: <c>cairnj_</c>, the lease id (32 hex digits),
/// <c>_</c>, and base64url(HMAC-SHA256(key, lease id's bytes + the repository's name in lower case)). The key is derived
/// from the server's master key (HKDF), so every replica makes and checks the same tokens and none is stored. A token
/// names one repository; whether its lease still lives is asked of the store each time it is used.</summary>
public sealed class SourceTokens
{
    public const string Prefix = "cairnj_";

    private static readonly byte[] Info = Encoding.UTF8.GetBytes("cairn job source token");
    private readonly byte[] _key;

    public SourceTokens(byte[] masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, salt: [], info: Info);
    }

    /// <summary>The token for <paramref name="repository"/>'s source while lease <paramref name="leaseId"/> lives.</summary>
    public string Issue(Guid leaseId, string repository) =>
        $"{Prefix}{leaseId:N}_{Base64Url.EncodeToString(Mac(leaseId, repository))}";

    /// <summary>The lease id of a token made for <paramref name="repository"/>; null for anything else (another
    /// repository's token, a forged or mangled one). The comparison takes the same time wherever the bytes differ.</summary>
    public Guid? Verify(string? presented, string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (presented is null || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length < Prefix.Length + 34
            || presented[Prefix.Length + 32] != '_'
            || !Guid.TryParseExact(presented.AsSpan(Prefix.Length, 32), "N", out var leaseId))
        {
            return null;
        }

        byte[] given;
        try
        {
            given = Base64Url.DecodeFromChars(presented.AsSpan(Prefix.Length + 33));
        }
        catch (FormatException)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(given, Mac(leaseId, repository)) ? leaseId : null;
    }

    private byte[] Mac(Guid leaseId, string repository)
    {
        var name = Encoding.UTF8.GetBytes(repository.ToLowerInvariant());
        var message = new byte[16 + name.Length];
        leaseId.TryWriteBytes(message);
        name.CopyTo(message, 16);
        return HMACSHA256.HashData(_key, message);
    }
}
