using Cairn.Core.Forges;

namespace Cairn.Core.Repositories;

/// <summary>The repositories a server knows, by full name (compared without regard to case, as forges do).</summary>
public interface IRepositoryStore
{
    /// <summary>Adds the repository; false (and nothing written) when one of that name exists.</summary>
    Task<bool> AddRepositoryAsync(RepositoryRecord repository, CancellationToken cancellationToken);

    Task<RepositoryRecord?> GetRepositoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Changes the repository's settings; answers the repository as changed, or null when there is none of that name.</summary>
    Task<RepositoryRecord?> UpdateRepositoryAsync(string name, RepositorySettingsChange change, CancellationToken cancellationToken);

    /// <summary>How many jobs of the repository's runs are running now (what its limit of running jobs is held against).</summary>
    Task<int> CountRunningJobsAsync(string name, CancellationToken cancellationToken);

    /// <summary>All repositories, by name.</summary>
    Task<IReadOnlyList<RepositoryRecord>> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Removes the repository, its schedules and its secrets; its runs stay. False when there was none.</summary>
    Task<bool> DeleteRepositoryAsync(string name, CancellationToken cancellationToken);
}
