namespace Cairn.Git;

/// <summary>Where a repository is fetched from, and with which token.</summary>
/// <param name="Token">Sent over http(s) as the password of the clone URL's user (or <see cref="GitMirrorOptions.TokenUserName"/>); null for none.</param>
public sealed record RepositoryRemote(string CloneUrl, string? Token);
