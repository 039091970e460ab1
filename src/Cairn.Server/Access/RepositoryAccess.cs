using Cairn.Core.Access;
using Cairn.Core.Repositories;

namespace Cairn.Server.Access;

/// <summary>Which repositories a caller may see: all of them, or a set of names (public ones and those granted to them
/// or their groups).</summary>
public sealed class RepositoryVisibility
{
    private readonly HashSet<string>? names;

    private RepositoryVisibility(HashSet<string>? names) => this.names = names;

    public static RepositoryVisibility Everything { get; } = new(null);

    /// <summary>Whether every repository is visible (the caller's global role lets them read all).</summary>
    public bool All => names is null;

    /// <summary>The visible repositories' names when not <see cref="All"/>.</summary>
    public IReadOnlyCollection<string> Names => names ?? [];

    public static RepositoryVisibility Only(IEnumerable<string> repositories) =>
        new(new HashSet<string>(repositories, StringComparer.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="repository"/> is visible; a run of no repository only to those who see all.</summary>
    public bool Allows(string? repository) => names is null || (repository is not null && names.Contains(repository));
}

/// <summary>The role a caller holds on a repository, from their global role, their grants, their groups' grants and
/// whether the repository is public (<see cref="EffectiveRole"/>), capped by their token's scopes.</summary>
public sealed class RepositoryAccess(IRepositoryStore repositories, IMemberStore members)
{
    /// <summary>The caller's role on <paramref name="repository"/>, or null when they may not see it. A repository that
    /// does not exist is seen only by those who see every repository, so that a 404 says nothing about what exists.</summary>
    public async Task<Role?> RoleOnAsync(Caller caller, string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(repository);
        var record = await repositories.GetRepositoryAsync(repository, cancellationToken);
        return await RoleOnAsync(caller, repository, record?.Public ?? false, cancellationToken);
    }

    /// <summary>The same, when the caller already knows whether the repository is public.</summary>
    public async Task<Role?> RoleOnAsync(Caller caller, string repository, bool isPublic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.User is not { Disabled: false } user)
        {
            return isPublic ? Role.Viewer : null;
        }

        if (caller.GlobalRole is Role.Admin)
        {
            return Role.Admin;
        }

        var grants = await members.ListGrantsOfUserAsync(user.Name, cancellationToken);
        var teams = caller.Groups.Count == 0 ? [] : await members.ListTeamGrantsAsync(repository, cancellationToken);
        return Of(caller, grants, teams, repository, isPublic);
    }

    /// <summary>The caller's role on every repository, in the store's order: one read of the repositories and one of the
    /// caller's grants (and, for someone with groups, each repository's team grants), for the pages that ask of all.</summary>
    public async Task<IReadOnlyList<RepositoryRole>> RolesAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var all = await repositories.ListRepositoriesAsync(cancellationToken);
        if (caller.User is not { Disabled: false } user)
        {
            return [.. all.Select(r => new RepositoryRole(r, r.Public ? Role.Viewer : null))];
        }

        if (caller.GlobalRole is Role.Admin)
        {
            return [.. all.Select(r => new RepositoryRole(r, Role.Admin))];
        }

        var grants = await members.ListGrantsOfUserAsync(user.Name, cancellationToken);
        var roles = new List<RepositoryRole>(all.Count);
        foreach (var repository in all)
        {
            var teams = caller.Groups.Count == 0 ? [] : await members.ListTeamGrantsAsync(repository.Name, cancellationToken);
            roles.Add(new RepositoryRole(repository, Of(caller, grants, teams, repository.Name, repository.Public)));
        }

        return roles;
    }

    private static Role? Of(Caller caller, IEnumerable<MemberGrant> grants, IEnumerable<TeamGrant> teams, string repository, bool isPublic) =>
        caller.Cap(EffectiveRole.ForSignedIn(
            caller.UncappedRole,
            grants.Where(g => string.Equals(g.Repository, repository, StringComparison.OrdinalIgnoreCase)).Select(g => g.Role),
            teams.Where(g => caller.Groups.Contains(g.Group, StringComparer.Ordinal)).Select(g => g.Role),
            isPublic));

    /// <summary>Whether the caller may set, list and remove the secrets of <paramref name="scope"/> (a repository's name,
    /// or null for the global scope).</summary>
    public async Task<bool> MayManageSecretsAsync(Caller caller, string? scope, CancellationToken cancellationToken) =>
        scope is null
            ? caller.MayGlobally(Permission.ManageGlobalSecrets)
            : RolePermissions.Allows(await RoleOnAsync(caller, scope, cancellationToken), Permission.ManageRepositorySecrets);

    /// <summary>The repositories the caller may see.</summary>
    public async Task<RepositoryVisibility> VisibleAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.GlobalRole is not null)
        {
            return RepositoryVisibility.Everything;
        }

        return RepositoryVisibility.Only((await RolesAsync(caller, cancellationToken)).Where(r => r.Role is not null).Select(r => r.Repository.Name));
    }
}

/// <summary>A repository and the role a caller holds on it (null: not theirs to see).</summary>
public sealed record RepositoryRole(RepositoryRecord Repository, Role? Role);
