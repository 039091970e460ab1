namespace Cairn.Core.Access;

/// <summary>A role granted to one user on one repository; it raises the user's global role there, never lowers it.</summary>
/// <param name="User">The user's name.</param>
public sealed record MemberGrant(string Repository, string User, Role Role);
