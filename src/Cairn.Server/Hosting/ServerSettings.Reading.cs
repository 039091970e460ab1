using Microsoft.Extensions.Configuration;

namespace Cairn.Server.Hosting;

/// <summary>The parts of reading the settings that are not one setting's own rule.</summary>
public sealed partial record ServerSettings
{
    /// <summary>Reads <c>Auth:GroupRoles</c>: in appsettings.json an object (<c>{ "ci-admins": "admin" }</c>), on the
    /// command line or in the environment <c>group=role</c> pairs separated by commas.</summary>
    private static Dictionary<string, Core.Access.Role> ReadGroupRoles(IConfigurationSection section, Action<string> fail)
    {
        var pairs = section.GetChildren().Any()
            ? section.GetChildren().Select(c => (Group: c.Key, Role: c.Value ?? ""))
            : (section.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
                .Select(p => (Group: p[0], Role: p.Length == 2 ? p[1] : ""));
        var roles = new Dictionary<string, Core.Access.Role>(StringComparer.Ordinal);
        foreach (var (group, roleText) in pairs)
        {
            if (group.Length == 0 || !Core.Access.RoleNames.TryParse(roleText, out var role))
            {
                fail($"'{group}={roleText}' does not map a group to a role (viewer, developer, maintainer, admin)");
                continue;
            }

            roles[group] = role;
        }

        return roles;
    }

    private static bool IsWithin(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        var outside = relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative);
        return !outside;
    }
}
