namespace Cairn.Core.Access;

/// <summary>Where a user came from: added by an admin, or made on first sign-in through OpenID Connect or GitHub.</summary>
public enum UserSource
{
    Local,
    Oidc,
    Github,
}
