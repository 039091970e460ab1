using Cairn.Core.Forges;

namespace Cairn.Core.Repositories;

/// <summary>A repository the server builds. The webhook secret and status token are kept sealed
/// (<see cref="Secrets.SecretCipher"/>); nothing here is ever returned by an endpoint but the name, forge and URLs.</summary>
/// <param name="Name">The full name, <c>owner/repo</c> (GitLab: the project path, which may hold more slashes).</param>
/// <param name="ApiUrl">The forge's API root statuses go to (a self-hosted forge's own).</param>
public sealed record RepositoryRecord(
    string Name,
    ForgeKind Forge,
    string CloneUrl,
    string ApiUrl,
    string DefaultBranch,
    byte[]? SealedWebhookSecret,
    byte[]? SealedForgeToken,
    DateTimeOffset CreatedAt)
{
    /// <summary>Whether runs of pull requests from forks may read secrets.</summary>
    public bool AllowForkSecrets { get; init; }

    /// <summary>Whether runs of pull requests from forks wait for a maintainer, start at once, or are not made.</summary>
    public ForkPullRequestPolicy ForkPullRequests { get; init; } = ForkPullRequestPolicy.Approve;

    /// <summary>Whether anyone, signed in or not, may read the repository's runs, jobs and logs (nothing else).</summary>
    public bool Public { get; init; }

    /// <summary>How many jobs of the repository may run at once; null: no limit. A queued job over it waits, said so.</summary>
    public int? MaxRunningJobs { get; init; }
}

/// <summary>A change to a repository's settings: what is null stays as it is.</summary>
/// <param name="MaxRunningJobs">The new limit of running jobs; 0 removes the limit.</param>
public sealed record RepositorySettingsChange(
    ForkPullRequestPolicy? ForkPullRequests = null, bool? AllowForkSecrets = null, bool? Public = null, int? MaxRunningJobs = null)
{
    public bool IsEmpty => ForkPullRequests is null && AllowForkSecrets is null && Public is null && MaxRunningJobs is null;
}
