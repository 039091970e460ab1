namespace Cairn.Core.Access;

/// <summary>A token's scopes: their wire names, the role they reach at most, and the role a token truly holds — never
/// more than its user's.</summary>
public static class TokenScopes
{
    private static readonly (TokenScope Scope, string Wire)[] Names =
        [(TokenScope.Read, "read"), (TokenScope.Trigger, "trigger"), (TokenScope.Admin, "admin")];

    /// <summary>The highest role the scopes allow: read a viewer's, trigger a developer's, admin any; no scope, none.</summary>
    public static Role? Ceiling(TokenScope scopes) =>
        scopes.HasFlag(TokenScope.Admin) ? Role.Admin
        : scopes.HasFlag(TokenScope.Trigger) ? Role.Developer
        : scopes.HasFlag(TokenScope.Read) ? Role.Viewer
        : null;

    /// <summary>The role a token holds where its user holds <paramref name="userRole"/>: the lower of the two, so a token
    /// loses what its user loses. Null when either is none.</summary>
    public static Role? Effective(TokenScope scopes, Role? userRole) =>
        Ceiling(scopes) is { } ceiling && userRole is { } role ? (ceiling < role ? ceiling : role) : null;

    /// <summary>The wire names, comma-separated, in a fixed order (as the store keeps them).</summary>
    public static string ToWire(TokenScope scopes) => string.Join(",", ToWireList(scopes));

    public static IReadOnlyList<string> ToWireList(TokenScope scopes) =>
        [.. Names.Where(n => scopes.HasFlag(n.Scope)).Select(n => n.Wire)];

    /// <summary>Reads wire names (case-sensitive, as written); false, with the name it could not read, for an unknown
    /// one or for none at all.</summary>
    public static bool TryParse(IEnumerable<string>? wires, out TokenScope scopes, out string? error)
    {
        scopes = TokenScope.None;
        foreach (var wire in wires ?? [])
        {
            var match = Array.Find(Names, n => n.Wire == wire);
            if (match.Wire is null)
            {
                error = $"'{wire}' is not a token scope (read, trigger, admin)";
                scopes = TokenScope.None;
                return false;
            }

            scopes |= match.Scope;
        }

        error = scopes == TokenScope.None ? "a token needs at least one scope (read, trigger, admin)" : null;
        return error is null;
    }

    /// <summary>Reads what <see cref="ToWire"/> wrote.</summary>
    /// <exception cref="FormatException">The text holds no scope or an unknown one.</exception>
    public static TokenScope Parse(string wire) =>
        TryParse(wire.Split(',', StringSplitOptions.RemoveEmptyEntries), out var scopes, out var error) ? scopes : throw new FormatException(error);
}
