using Cairn.Core.Access;
using static Cairn.Storage.Portable.AccessRows;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>API tokens, as hashes found by id (<see cref="IApiTokenStore"/>), alike for both dialects.</summary>
internal sealed class ApiTokenRecords(IStatementRunner database, IUserStore users) : IApiTokenStore
{
    private const string InsertToken = $"""
        INSERT INTO api_tokens (id, user_id, name, scopes, hash, created_at, expires_at)
        SELECT @id, id, @name, @scopes, @hash, @at, @expires FROM users WHERE id = @user
        RETURNING {TokenColumns};
        """;

    private const string TokenById = $"SELECT {TokenColumns} FROM api_tokens WHERE id = @id;";

    private const string TokensOfUser = $"SELECT {TokenColumns} FROM api_tokens WHERE user_id = @user ORDER BY created_at DESC, id;";

    private const string Revoke = "UPDATE api_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;";

    private const string Touch = "UPDATE api_tokens SET last_used_at = @at WHERE id = @id;";

    public async Task<ApiTokenRecord?> CreateApiTokenAsync(NewApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var created = await database.WriteReturningAsync(
            InsertToken,
            command => command
                .Bind("@id", token.Id)
                .Bind("@user", token.UserId)
                .Bind("@name", token.Name)
                .Bind("@scopes", TokenScopes.ToWire(token.Scopes))
                .Bind("@hash", token.Hash)
                .Bind("@at", ToMillis(token.CreatedAt))
                .Bind("@expires", ToMillis(token.ExpiresAt)),
            ReadToken,
            cancellationToken);
        return created.SingleOrDefault();
    }

    public async Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var found = await database.QueryAsync(TokenById, c => c.Bind("@id", id), ReadToken, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(long userId, CancellationToken cancellationToken) =>
        await database.QueryAsync(TokensOfUser, c => c.Bind("@user", userId), ReadToken, cancellationToken);

    public async Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await database.ExecuteAsync(Revoke, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken) == 1;
    }

    public async Task<(ApiTokenRecord Token, UserRecord User)?> AuthenticateApiTokenAsync(
        string? value, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!ApiTokens.TryParse(value, out var id, out _)
            || await GetApiTokenAsync(id, cancellationToken) is not { } token
            || !ApiTokens.Verify(value, token, at)
            || await users.GetUserByIdAsync(token.UserId, cancellationToken) is not { Disabled: false } user)
        {
            return null;
        }

        await database.ExecuteAsync(Touch, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken);
        return (token with { LastUsedAt = Truncate(at) }, user);
    }
}
