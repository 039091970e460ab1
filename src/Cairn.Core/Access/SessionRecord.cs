namespace Cairn.Core.Access;

/// <summary>A dashboard session as the server keeps it: signing out ends it here, so a stolen cookie of an ended session
/// opens nothing.</summary>
/// <param name="Id">The SHA-256 (hex) of the random key the session's cookie carries; never the key itself.</param>
/// <param name="Groups">The user's groups at their identity provider when they signed in (none for a token sign-in).</param>
/// <param name="Method">How they signed in: <c>token</c>, <c>oidc</c> or <c>github</c>.</param>
/// <param name="SeenAt">The last request made with it, to the nearest minute or so.</param>
public sealed record SessionRecord(
    string Id,
    long UserId,
    IReadOnlyList<string> Groups,
    string Method,
    DateTimeOffset CreatedAt,
    DateTimeOffset SeenAt,
    DateTimeOffset? EndedAt)
{
    /// <summary>The scopes of the API token the session was opened with; null for a sign-in through an identity
    /// provider (or the admin token), which the session does not limit.</summary>
    public TokenScope? Scopes { get; init; }
}
