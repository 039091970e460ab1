namespace Cairn.Core.Access;

/// <summary>API tokens, kept as hashes, found by id.</summary>
public interface IApiTokenStore
{
    /// <summary>Stores a token made by <see cref="ApiTokens.Create"/>; null when its user does not exist.</summary>
    Task<ApiTokenRecord?> CreateApiTokenAsync(NewApiToken token, CancellationToken cancellationToken);

    Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken cancellationToken);

    /// <summary>A user's tokens, revoked and expired ones included, newest first.</summary>
    Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(long userId, CancellationToken cancellationToken);

    /// <summary>Revokes a token; false when there is none of that id or it was revoked already.</summary>
    Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The token a presented value is, with its user, when it verifies at <paramref name="at"/> (well-formed,
    /// its secret matching, neither revoked nor expired, its user present and enabled), noting it was last used then;
    /// null otherwise.</summary>
    Task<(ApiTokenRecord Token, UserRecord User)?> AuthenticateApiTokenAsync(string? value, DateTimeOffset at, CancellationToken cancellationToken);
}
