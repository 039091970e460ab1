namespace Cairn.Cli.Commands.Client;

/// <summary>What <c>cairn user add</c> sends; a role left out is the server's default for new users.</summary>
internal sealed record UserRequest(string Name, string? Role, string? Email);

/// <summary>What <c>cairn user set</c> sends: only what changes.</summary>
internal sealed record UserChangeRequest(string? Role, bool? Disabled);

/// <summary>A user as the server shows it. <c>role</c> is <c>viewer</c>, <c>developer</c>, <c>maintainer</c>,
/// <c>admin</c> or <c>none</c>; <c>source</c> is <c>local</c>, <c>oidc</c> or <c>github</c>.</summary>
internal sealed record UserView(string Name, string? Email, string Role, string Source, DateTimeOffset CreatedAt, bool Disabled);

/// <summary>Who the server takes the caller for (<c>cairn whoami</c>): name, global role, groups, and how they signed in.</summary>
internal sealed record MeView(
    string? Name, string Role, string? Source, IReadOnlyList<string> Groups, string Method, string? TokenName, IReadOnlyList<string>? Scopes);

/// <summary>What <c>cairn member set</c> and <c>cairn team set</c> send.</summary>
internal sealed record GrantRequest(string Role);

/// <summary>A user's role on one repository.</summary>
internal sealed record MemberView(string User, string Role);

/// <summary>A group's role on one repository.</summary>
internal sealed record TeamView(string Group, string Role);

/// <summary>What <c>cairn token create</c> sends; a lifetime or scopes left out are the server's defaults.</summary>
internal sealed record TokenRequest(string Name, string? ExpiresIn, IReadOnlyList<string>? Scopes);

/// <summary>An API token as listed: never its value.</summary>
internal sealed record TokenView(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A token just made: the only answer that carries its value.</summary>
internal sealed record CreatedTokenView(
    string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token)
{
    public override string ToString() => $"token {Name} ({Id})";
}
