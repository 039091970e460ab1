namespace Cairn.Core.Access;

/// <summary>A person the server knows. Names are unique ignoring case; the name keeps the case it was given.</summary>
/// <param name="Role">The global role: what the user holds on every repository before any grant raises it; null for none
/// (they see only the repositories granted to them or their groups, and public ones).</param>
/// <param name="Disabled">A disabled user is refused as if unknown, and so are their tokens.</param>
public sealed record UserRecord(
    long Id, string Name, string? Email, Role? Role, UserSource Source, DateTimeOffset CreatedAt, bool Disabled)
{
    /// <summary>Who the user is at their identity provider (the OpenID subject, GitHub's numeric id); null for a local user.</summary>
    public string? ExternalId { get; init; }
}

/// <summary>A user to add.</summary>
/// <param name="ExternalId">Who they are at their identity provider; unique per <paramref name="Source"/>.</param>
public sealed record NewUser(string Name, string? Email, Role? Role, UserSource Source, DateTimeOffset At, string? ExternalId = null);
