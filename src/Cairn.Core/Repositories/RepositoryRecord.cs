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
    byte[]? SealedStatusToken,
    DateTimeOffset CreatedAt)
{
    /// <summary>Whether runs of pull requests from forks may read secrets.</summary>
    public bool AllowForkSecrets { get; init; }

    /// <summary>Whether runs of pull requests from forks wait for a maintainer, start at once, or are not made.</summary>
    public ForkPullRequestPolicy ForkPullRequests { get; init; } = ForkPullRequestPolicy.Approve;
}

/// <summary>A change to a repository's settings: what is null stays as it is.</summary>
public sealed record RepositorySettingsChange(ForkPullRequestPolicy? ForkPullRequests = null, bool? AllowForkSecrets = null)
{
    public bool IsEmpty => ForkPullRequests is null && AllowForkSecrets is null;
}

/// <summary>The repositories a server knows, by full name (compared without regard to case, as forges do).</summary>
public interface IRepositoryStore
{
    /// <summary>Adds the repository; false (and nothing written) when one of that name exists.</summary>
    Task<bool> AddRepositoryAsync(RepositoryRecord repository, CancellationToken cancellationToken);

    Task<RepositoryRecord?> GetRepositoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Changes the repository's settings; answers the repository as changed, or null when there is none of that name.</summary>
    Task<RepositoryRecord?> UpdateRepositoryAsync(string name, RepositorySettingsChange change, CancellationToken cancellationToken);

    /// <summary>All repositories, by name.</summary>
    Task<IReadOnlyList<RepositoryRecord>> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Removes the repository, its schedules and its secrets; its runs stay. False when there was none.</summary>
    Task<bool> DeleteRepositoryAsync(string name, CancellationToken cancellationToken);
}
