namespace Cairn.Core.Access;

/// <summary>The people the server knows. Names are unique ignoring case.</summary>
public interface IUserStore
{
    /// <summary>Adds a user; null when the name (in any case) is taken, or another user has its external id.</summary>
    /// <exception cref="ArgumentException">The name breaks <see cref="UserName"/>'s rule.</exception>
    Task<UserRecord?> CreateUserAsync(NewUser user, CancellationToken cancellationToken);

    /// <summary>The user of that name, in any case; null when there is none.</summary>
    Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken);

    /// <summary>The user an identity provider knows as <paramref name="externalId"/>; null when there is none.</summary>
    Task<UserRecord?> GetUserByExternalIdAsync(UserSource source, string externalId, CancellationToken cancellationToken);

    Task<UserRecord?> GetUserByIdAsync(long id, CancellationToken cancellationToken);

    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Changes a user's global role; false when there is no such user.</summary>
    Task<bool> SetUserRoleAsync(string name, Role? role, CancellationToken cancellationToken);

    /// <summary>Disables or enables a user; false when there is no such user.</summary>
    Task<bool> SetUserDisabledAsync(string name, bool disabled, CancellationToken cancellationToken);

    /// <summary>Removes a user, and in the same transaction revokes every token of theirs (at <paramref name="at"/>) and
    /// removes every grant to them; false when there is no such user.</summary>
    Task<bool> DeleteUserAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);
}
