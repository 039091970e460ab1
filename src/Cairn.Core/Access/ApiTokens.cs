using System.Security.Cryptography;
using System.Text;

namespace Cairn.Core.Access;

/// <summary>API token values: <c>cairn_</c> then 40 base62 characters drawn from <see cref="RandomNumberGenerator"/> —
/// the first <see cref="IdLength"/> are the token's id (how it is found: a lookup by id, never a scan of hashes), the
/// other <see cref="SecretLength"/> its secret. The fixed prefix lets secret scanners spot a leaked token.</summary>
/// <remarks>Only the SHA-256 of the secret is stored. A slow password hash (PBKDF2, Argon2) guards low-entropy secrets
/// people choose; a secret of 32 random base62 characters (about 190 bits) cannot be guessed from its hash by any
/// amount of hashing, so one fast hash is enough and keeps every authenticated request cheap.</remarks>
public static class ApiTokens
{
    public const string Prefix = "cairn_";

    public const int IdLength = 8;

    public const int SecretLength = 32;

    public static int ValueLength => Prefix.Length + IdLength + SecretLength;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Makes a new token for <paramref name="userId"/>: its value, to show once, and the record to store. A null
    /// <paramref name="lifetime"/> makes a token that does not expire.</summary>
    public static (string Value, NewApiToken Token) Create(
        long userId, string name, TokenScope scopes, DateTimeOffset at, TimeSpan? lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (scopes == TokenScope.None)
        {
            throw new ArgumentException("a token needs at least one scope", nameof(scopes));
        }

        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "a token's lifetime must be positive (or none, for no expiry)");
        }

        var id = Random(IdLength);
        var secret = Random(SecretLength);
        return (Prefix + id + secret, new NewApiToken(id, userId, name, scopes, Hash(secret), at, at + lifetime));
    }

    /// <summary>Splits a presented value into its id and secret; false, without throwing, for anything that is not
    /// exactly a token's shape (wrong prefix, length or character).</summary>
    public static bool TryParse(string? value, out string id, out string secret) => TryParse(value, Prefix, out id, out secret);

    /// <summary>Splits a value of <paramref name="prefix"/>, then <see cref="IdLength"/> + <see cref="SecretLength"/> base62
    /// characters, into id and secret; false, without throwing, for anything else. Worker tokens share the shape.</summary>
    internal static bool TryParse(string? value, string prefix, out string id, out string secret)
    {
        id = secret = "";
        if (value is null || value.Length != prefix.Length + IdLength + SecretLength || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(prefix.Length);
        foreach (var c in rest)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        id = rest[..IdLength].ToString();
        secret = rest[IdLength..].ToString();
        return true;
    }

    /// <summary>A new id and secret of base62 characters.</summary>
    internal static (string Id, string Secret) NewParts() => (Random(IdLength), Random(SecretLength));

    /// <summary>The SHA-256 of a token's secret part, as stored.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> is the one <paramref name="hash"/> was made from, compared in constant
    /// time.</summary>
    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);

    /// <summary>Whether a presented value is <paramref name="token"/>'s and the token may be used at <paramref name="at"/>.</summary>
    public static bool Verify(string? value, ApiTokenRecord token, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!TryParse(value, out var id, out var secret))
        {
            return false;
        }

        // The secret is compared even when the id differs, so both answers take the same time.
        var matches = Matches(secret, token.Hash);
        return matches && string.Equals(id, token.Id, StringComparison.Ordinal) && token.IsActiveAt(at);
    }

    private static string Random(int length) => new(RandomNumberGenerator.GetItems<char>(Base62, length));
}
