using Cairn.Core.Access;

namespace Cairn.Core.Workers;

/// <summary>Worker token values: <c>cairnw_</c> then 40 base62 characters, the first <see cref="ApiTokens.IdLength"/> the
/// token's id and the rest its secret, stored only as its SHA-256 (the reasoning of <see cref="ApiTokens"/> holds). The
/// prefix differs from a user's token, so neither can ever be taken for the other.</summary>
public static class WorkerTokens
{
    public const string Prefix = "cairnw_";

    public static int ValueLength => Prefix.Length + ApiTokens.IdLength + ApiTokens.SecretLength;

    /// <summary>A new token: the value to show once, its id and the hash to store.</summary>
    public static (string Value, string Id, byte[] Hash) Create()
    {
        var (id, secret) = ApiTokens.NewParts();
        return (Prefix + id + secret, id, ApiTokens.Hash(secret));
    }

    /// <summary>Splits a presented value into id and secret; false for anything not exactly a worker token's shape.</summary>
    public static bool TryParse(string? value, out string id, out string secret) => ApiTokens.TryParse(value, Prefix, out id, out secret);

    /// <summary>Whether the secret is the one the worker's hash was made from, compared in constant time.</summary>
    public static bool Matches(string secret, WorkerRecord worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return ApiTokens.Matches(secret, worker.TokenHash);
    }
}

/// <summary>A worker's name: 1 to 63 of lower-case letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting with a letter
/// or digit. It is part of every lease the worker holds (<c>NAME/INSTANCE/SLOT</c>), so it never holds a <c>/</c>.</summary>
public static class WorkerNames
{
    public const int MaxLength = 63;

    /// <summary>Null when <paramref name="name"/> is a worker's name; else why not, in a sentence.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a worker needs a name";
        }

        if (name.Length > MaxLength)
        {
            return $"a worker's name has at most {MaxLength} characters";
        }

        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return $"'{name}' must start with a lower-case letter or a digit";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"'{name}' may hold only lower-case letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }

    /// <summary>The lease owner a worker's slot leases under.</summary>
    public static string LeaseOwner(string name, string instance, int slot) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}/{instance}/{slot}");

    /// <summary>The worker's name in a lease owner made by <see cref="LeaseOwner"/>; null for any other owner (the
    /// server's own workers, a direct-store worker).</summary>
    public static string? OwnerName(string? leaseOwner) =>
        leaseOwner is not null && leaseOwner.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? leaseOwner[..slash] : null;
}
