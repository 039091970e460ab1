namespace Cairn.Core.Access;

/// <summary>The wire names of the roles (<c>viewer</c>, <c>developer</c>, <c>maintainer</c>, <c>admin</c>), as the API,
/// the CLI, settings and the store write them.</summary>
public static class RoleNames
{
    public static string ToWire(this Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Developer => "developer",
        Role.Maintainer => "maintainer",
        Role.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a role"),
    };

    /// <summary>Reads a wire name, ignoring case; false for anything else (numbers included).</summary>
    public static bool TryParse(string? wire, out Role role)
    {
        foreach (var candidate in Enum.GetValues<Role>())
        {
            if (string.Equals(wire, candidate.ToWire(), StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }

    /// <summary>Reads a wire name the store wrote.</summary>
    /// <exception cref="FormatException"><paramref name="wire"/> names no role.</exception>
    public static Role Parse(string wire) =>
        TryParse(wire, out var role) ? role : throw new FormatException($"'{wire}' is not a role (viewer, developer, maintainer, admin)");
}
