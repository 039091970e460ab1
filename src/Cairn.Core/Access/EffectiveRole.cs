namespace Cairn.Core.Access;

/// <summary>The role someone holds on one repository: the highest of their global role, their grants on the repository
/// and the grants to their groups there. A grant only raises; a public repository lets anyone read it.</summary>
public static class EffectiveRole
{
    /// <summary>The role on one repository, or null for none (the repository is not theirs to see).</summary>
    /// <param name="globalRole">The user's global role; null for someone not signed in (or a disabled user).</param>
    /// <param name="repositoryGrants">The user's grants on this repository.</param>
    /// <param name="teamGrants">The grants on this repository to the user's groups.</param>
    /// <param name="repositoryIsPublic">Whether anyone may read the repository without signing in.</param>
    public static Role? Of(Role? globalRole, IEnumerable<Role> repositoryGrants, IEnumerable<Role> teamGrants, bool repositoryIsPublic)
    {
        ArgumentNullException.ThrowIfNull(repositoryGrants);
        ArgumentNullException.ThrowIfNull(teamGrants);
        // Grants belong to users: no one signed in holds any.
        return globalRole is null
            ? repositoryIsPublic ? Role.Viewer : null
            : ForSignedIn(globalRole, repositoryGrants, teamGrants, repositoryIsPublic);
    }

    /// <summary>The role of someone signed in whose global role may be none (null): their grants and their groups'
    /// grants count all the same.</summary>
    public static Role? ForSignedIn(Role? globalRole, IEnumerable<Role> repositoryGrants, IEnumerable<Role> teamGrants, bool repositoryIsPublic)
    {
        ArgumentNullException.ThrowIfNull(repositoryGrants);
        ArgumentNullException.ThrowIfNull(teamGrants);
        var role = repositoryIsPublic ? Max(globalRole, Role.Viewer) : globalRole;
        foreach (var grant in repositoryGrants.Concat(teamGrants))
        {
            role = Max(role, grant);
        }

        return role;
    }

    /// <summary>The role <paramref name="user"/> (null: no one signed in) holds on <paramref name="repository"/>, from every
    /// grant given, picking those of the repository, of the user and of <paramref name="groups"/>.</summary>
    public static Role? Of(
        UserRecord? user,
        IReadOnlyCollection<string> groups,
        string repository,
        IEnumerable<MemberGrant> memberGrants,
        IEnumerable<TeamGrant> teamGrants,
        bool repositoryIsPublic)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(memberGrants);
        ArgumentNullException.ThrowIfNull(teamGrants);
        if (user is not { Disabled: false } active)
        {
            return repositoryIsPublic ? Role.Viewer : null;
        }

        return ForSignedIn(
            active.Role,
            memberGrants
                .Where(g => SameName(g.Repository, repository) && SameName(g.User, active.Name))
                .Select(g => g.Role),
            teamGrants.Where(g => SameName(g.Repository, repository) && groups.Contains(g.Group, StringComparer.Ordinal)).Select(g => g.Role),
            repositoryIsPublic);
    }

    private static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static Role Max(Role? a, Role b) => a is { } held && held > b ? held : b;
}
