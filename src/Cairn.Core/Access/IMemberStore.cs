namespace Cairn.Core.Access;

/// <summary>Roles granted on repositories: to users (members) and to groups (teams). Repository, user and group names
/// match ignoring case for repositories and users, exactly for groups.</summary>
public interface IMemberStore
{
    /// <summary>Grants <paramref name="role"/> to the user on the repository, replacing a grant they had there; false when
    /// there is no such user.</summary>
    Task<bool> SetMemberAsync(string repository, string user, Role role, CancellationToken cancellationToken);

    /// <summary>Removes the user's grant on the repository; false when they had none.</summary>
    Task<bool> RemoveMemberAsync(string repository, string user, CancellationToken cancellationToken);

    /// <summary>The repository's members, by user name.</summary>
    Task<IReadOnlyList<MemberGrant>> ListMembersAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Every grant to the user, by repository.</summary>
    Task<IReadOnlyList<MemberGrant>> ListGrantsOfUserAsync(string user, CancellationToken cancellationToken);

    /// <summary>Grants <paramref name="role"/> to the group on the repository, replacing a grant it had there.</summary>
    Task SetTeamGrantAsync(string repository, string group, Role role, CancellationToken cancellationToken);

    /// <summary>Removes the group's grant on the repository; false when it had none.</summary>
    Task<bool> RemoveTeamGrantAsync(string repository, string group, CancellationToken cancellationToken);

    /// <summary>The repository's team grants, by group.</summary>
    Task<IReadOnlyList<TeamGrant>> ListTeamGrantsAsync(string repository, CancellationToken cancellationToken);
}
