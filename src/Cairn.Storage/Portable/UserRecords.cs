using Cairn.Core.Access;
using static Cairn.Storage.Portable.AccessRows;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The people the server knows (<see cref="IUserStore"/>) in SQL both dialects run as written.</summary>
internal sealed class UserRecords(IStatementRunner database) : IUserStore
{
    private const string InsertUser = $"""
        INSERT INTO users (name, name_key, email, role, source, created_at, disabled, external_id)
        VALUES (@name, @key, @email, @role, @source, @at, @disabled, @external)
        ON CONFLICT DO NOTHING
        RETURNING {UserColumns};
        """;

    private const string UserByKey = $"SELECT {UserColumns} FROM users WHERE name_key = @key;";

    private const string UserByExternalId = $"SELECT {UserColumns} FROM users WHERE source = @source AND external_id = @external;";

    private const string UserById = $"SELECT {UserColumns} FROM users WHERE id = @id;";

    private const string EveryUser = $"SELECT {UserColumns} FROM users ORDER BY name_key;";

    private const string SetRole = "UPDATE users SET role = @role WHERE name_key = @key;";

    private const string SetDisabled = "UPDATE users SET disabled = @disabled WHERE name_key = @key;";

    private const string IdByKey = "SELECT id FROM users WHERE name_key = @key;";

    private const string RevokeTokensOfUser = "UPDATE api_tokens SET revoked_at = @at WHERE user_id = @id AND revoked_at IS NULL;";

    private const string DeleteGrantsOfUser = "DELETE FROM repository_members WHERE user_id = @id;";

    private const string EndSessionsOfUser = "UPDATE sessions SET ended_at = @at WHERE user_id = @id AND ended_at IS NULL;";

    private const string DeleteUser = "DELETE FROM users WHERE id = @id;";

    public async Task<UserRecord?> CreateUserAsync(NewUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (UserName.Check(user.Name) is { } error)
        {
            throw new ArgumentException($"a user's name {error}", nameof(user));
        }

        var created = await database.WriteReturningAsync(
            InsertUser,
            command => command
                .Bind("@name", user.Name)
                .Bind("@key", UserKey(user.Name))
                .Bind("@email", user.Email)
                .Bind("@role", user.Role.ToWire())
                .Bind("@source", ToWire(user.Source))
                .Bind("@at", ToMillis(user.At))
                .Bind("@disabled", false)
                .Bind("@external", user.ExternalId),
            ReadUser,
            cancellationToken);
        return created.SingleOrDefault();
    }

    public async Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await database.QueryAsync(UserByKey, c => c.Bind("@key", UserKey(name)), ReadUser, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<UserRecord?> GetUserByExternalIdAsync(UserSource source, string externalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        var found = await database.QueryAsync(
            UserByExternalId, c => c.Bind("@source", ToWire(source)).Bind("@external", externalId), ReadUser, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<UserRecord?> GetUserByIdAsync(long id, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync(UserById, c => c.Bind("@id", id), ReadUser, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(EveryUser, _ => { }, ReadUser, cancellationToken);

    public async Task<bool> SetUserRoleAsync(string name, Role? role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.ExecuteAsync(
            SetRole, c => c.Bind("@key", UserKey(name)).Bind("@role", role.ToWire()), cancellationToken) == 1;
    }

    public async Task<bool> SetUserDisabledAsync(string name, bool disabled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.ExecuteAsync(
            SetDisabled, c => c.Bind("@key", UserKey(name)).Bind("@disabled", disabled), cancellationToken) == 1;
    }

    public async Task<bool> DeleteUserAsync(string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.InTransactionAsync(
            async transaction =>
            {
                var ids = await transaction.QueryAsync(IdByKey, c => c.Bind("@key", UserKey(name)), row => row.GetInt64(0), cancellationToken);
                if (ids is not [var id])
                {
                    return false;
                }

                await transaction.ExecuteAsync(RevokeTokensOfUser, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken);
                await transaction.ExecuteAsync(DeleteGrantsOfUser, c => c.Bind("@id", id), cancellationToken);
                await transaction.ExecuteAsync(EndSessionsOfUser, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken);
                return await transaction.ExecuteAsync(DeleteUser, c => c.Bind("@id", id), cancellationToken) == 1;
            },
            cancellationToken);
    }
}
