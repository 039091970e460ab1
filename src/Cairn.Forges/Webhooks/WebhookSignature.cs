using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Forges.Webhooks;

/// <summary>The two ways forges prove a delivery: an HMAC-SHA256 of the raw body, hex-encoded, or the secret itself
/// as a token. Every comparison takes the same time whatever matches, and an empty secret proves nothing.</summary>
internal static class WebhookSignature
{
    private const int Sha256Bytes = 32;

    /// <summary>True when <paramref name="header"/> is <paramref name="prefix"/> (e.g. <c>sha256=</c>, any case) and
    /// the hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>, in either case of hex.</summary>
    public static bool IsValidHmac(string? header, string prefix, ReadOnlySpan<byte> body, string secret)
    {
        if (string.IsNullOrEmpty(secret) || header is null)
        {
            return false;
        }

        var text = header.AsSpan().Trim();
        if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        text = text[prefix.Length..];
        if (text.Length != Sha256Bytes * 2)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[Sha256Bytes];
        if (Convert.FromHexString(text, given, out _, out var written) != OperationStatus.Done || written != Sha256Bytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Sha256Bytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    /// <summary>True when <paramref name="token"/> is <paramref name="secret"/>. Both are hashed first so that
    /// neither their contents nor their lengths show in the time taken.</summary>
    public static bool IsValidToken(string? token, string secret)
    {
        if (string.IsNullOrEmpty(secret) || token is null)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[Sha256Bytes];
        Span<byte> expected = stackalloc byte[Sha256Bytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), given);
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
