namespace Cairn.Core.Access;

/// <summary>The one table of which role each action needs: endpoint rules, the CLI and the dashboard read it from here
/// and nowhere else.</summary>
public static class RolePermissions
{
    /// <summary>The least role that may do <paramref name="permission"/>.</summary>
    public static Role Required(Permission permission) => permission switch
    {
        Permission.ReadRuns => Role.Viewer,
        Permission.Trigger or Permission.Cancel or Permission.Rerun or Permission.Approve => Role.Developer,
        Permission.ManageRepositorySettings or Permission.ManageRepositorySecrets or Permission.ManageMembers => Role.Maintainer,
        Permission.ManageRepositories or Permission.ManageUsers or Permission.ManageGlobalSecrets or Permission.ManageWorkers or Permission.ReadAllAudit => Role.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, "not a permission"),
    };

    /// <summary>Whether <paramref name="role"/> may do <paramref name="permission"/>; no role (null) may do nothing.</summary>
    public static bool Allows(Role? role, Permission permission) => role is { } held && held >= Required(permission);
}
