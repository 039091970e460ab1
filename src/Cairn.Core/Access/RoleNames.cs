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

    /// <summary>The wire name of a global role, where null (no role) is <c>none</c>.</summary>
    public static string ToWire(this Role? role) => role is { } held ? held.ToWire() : None;

    /// <summary>The wire name of no role at all.</summary>
    public const string None = "none";

    /// <summary>Reads a global role's wire name, where <c>none</c> is null; false for anything else.</summary>
    public static bool TryParseGlobal(string? wire, out Role? role)
    {
        if (string.Equals(wire, None, StringComparison.OrdinalIgnoreCase))
        {
            role = null;
            return true;
        }

        var known = TryParse(wire, out var parsed);
        role = known ? parsed : null;
        return known;
    }

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
