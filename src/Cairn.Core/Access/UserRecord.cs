namespace Cairn.Core.Access;

/// <summary>A person the server knows. Names are unique ignoring case; the name keeps the case it was given.</summary>
/// <param name="Role">The global role: what the user holds on every repository before any grant raises it.</param>
/// <param name="Disabled">A disabled user is refused as if unknown, and so are their tokens.</param>
public sealed record UserRecord(
    long Id, string Name, string? Email, Role Role, UserSource Source, DateTimeOffset CreatedAt, bool Disabled);

/// <summary>A user to add.</summary>
public sealed record NewUser(string Name, string? Email, Role Role, UserSource Source, DateTimeOffset At);
