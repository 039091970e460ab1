namespace Cairn.Core.Access;

/// <summary>An API token as stored: never its value, only the SHA-256 of its secret part (<see cref="ApiTokens"/>).</summary>
/// <param name="Id">The public part of the token's value, by which it is found.</param>
/// <param name="UserId">The user the token acts for.</param>
/// <param name="Name">The name its owner gave it.</param>
public sealed record ApiTokenRecord(
    string Id,
    long UserId,
    string Name,
    TokenScope Scopes,
    byte[] Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the token may still be used at <paramref name="at"/>: not revoked, not expired.</summary>
    public bool IsActiveAt(DateTimeOffset at) => RevokedAt is null && (ExpiresAt is not { } expires || at < expires);
}

/// <summary>A token to store, as <see cref="ApiTokens.Create"/> made it.</summary>
public sealed record NewApiToken(
    string Id, long UserId, string Name, TokenScope Scopes, byte[] Hash, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
