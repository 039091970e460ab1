using Cairn.Core.Access;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>People, their roles on repositories, and their API tokens.</summary>
public abstract partial class CairnStore
{
    private readonly UserRecords _users;
    private readonly MemberRecords _members;
    private readonly ApiTokenRecords _tokens;
    private readonly SessionRecords _sessions;

    public Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken) =>
        _sessions.CreateSessionAsync(session, cancellationToken);

    public Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken) =>
        _sessions.GetSessionAsync(id, cancellationToken);

    public Task TouchSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _sessions.TouchSessionAsync(id, at, cancellationToken);

    public Task<bool> EndSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _sessions.EndSessionAsync(id, at, cancellationToken);

    public Task<int> EndSessionsOfUserAsync(long userId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _sessions.EndSessionsOfUserAsync(userId, at, cancellationToken);

    public Task<int> DeleteSessionsBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        _sessions.DeleteSessionsBeforeAsync(before, cancellationToken);

    public Task<UserRecord?> CreateUserAsync(NewUser user, CancellationToken cancellationToken) =>
        _users.CreateUserAsync(user, cancellationToken);

    public Task<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken) =>
        _users.GetUserAsync(name, cancellationToken);

    public Task<UserRecord?> GetUserByExternalIdAsync(UserSource source, string externalId, CancellationToken cancellationToken) =>
        _users.GetUserByExternalIdAsync(source, externalId, cancellationToken);

    public Task<UserRecord?> GetUserByIdAsync(long id, CancellationToken cancellationToken) =>
        _users.GetUserByIdAsync(id, cancellationToken);

    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken) =>
        _users.ListUsersAsync(cancellationToken);

    public Task<bool> SetUserRoleAsync(string name, Role? role, CancellationToken cancellationToken) =>
        _users.SetUserRoleAsync(name, role, cancellationToken);

    public Task<bool> SetUserDisabledAsync(string name, bool disabled, CancellationToken cancellationToken) =>
        _users.SetUserDisabledAsync(name, disabled, cancellationToken);

    public Task<bool> DeleteUserAsync(string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        _users.DeleteUserAsync(name, at, cancellationToken);

    public Task<bool> SetMemberAsync(string repository, string user, Role role, CancellationToken cancellationToken) =>
        _members.SetMemberAsync(repository, user, role, cancellationToken);

    public Task<bool> RemoveMemberAsync(string repository, string user, CancellationToken cancellationToken) =>
        _members.RemoveMemberAsync(repository, user, cancellationToken);

    public Task<IReadOnlyList<MemberGrant>> ListMembersAsync(string repository, CancellationToken cancellationToken) =>
        _members.ListMembersAsync(repository, cancellationToken);

    public Task<IReadOnlyList<MemberGrant>> ListGrantsOfUserAsync(string user, CancellationToken cancellationToken) =>
        _members.ListGrantsOfUserAsync(user, cancellationToken);

    public Task SetTeamGrantAsync(string repository, string group, Role role, CancellationToken cancellationToken) =>
        _members.SetTeamGrantAsync(repository, group, role, cancellationToken);

    public Task<bool> RemoveTeamGrantAsync(string repository, string group, CancellationToken cancellationToken) =>
        _members.RemoveTeamGrantAsync(repository, group, cancellationToken);

    public Task<IReadOnlyList<TeamGrant>> ListTeamGrantsAsync(string repository, CancellationToken cancellationToken) =>
        _members.ListTeamGrantsAsync(repository, cancellationToken);

    public Task<ApiTokenRecord?> CreateApiTokenAsync(NewApiToken token, CancellationToken cancellationToken) =>
        _tokens.CreateApiTokenAsync(token, cancellationToken);

    public Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken cancellationToken) =>
        _tokens.GetApiTokenAsync(id, cancellationToken);

    public Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(long userId, CancellationToken cancellationToken) =>
        _tokens.ListApiTokensAsync(userId, cancellationToken);

    public Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _tokens.RevokeApiTokenAsync(id, at, cancellationToken);

    public Task<(ApiTokenRecord Token, UserRecord User)?> AuthenticateApiTokenAsync(
        string? value, DateTimeOffset at, CancellationToken cancellationToken) =>
        _tokens.AuthenticateApiTokenAsync(value, at, cancellationToken);
}
