using Cairn.Core.Repositories;
using Cairn.Git;
using Cairn.Server.Hosting;

namespace Cairn.Server.Services;

/// <summary>Where a job's worktree fetches from when the mirror lacks its commit: the repository's clone URL, with
/// its token.</summary>
internal sealed class StoreRepositoryLocator(IRepositoryStore repositories, RepositorySecrets secrets) : IRepositoryLocator
{
    public async Task<RepositoryRemote?> LocateAsync(string repository, CancellationToken cancellationToken) =>
        await repositories.GetRepositoryAsync(repository, cancellationToken) is { } found
            ? new RepositoryRemote(found.CloneUrl, secrets.ForgeToken(found))
            : null;
}
