namespace Cairn.Core.Access;

/// <summary>A role granted on one repository to everyone in a group (as their identity provider names it); like a
/// member's grant, it only raises.</summary>
public sealed record TeamGrant(string Repository, string Group, Role Role);
