namespace Cairn.Git;

/// <summary>Finds the clone URL and token of a repository by its full name; the server answers from its repository
/// store. Null means Cairn does not know the repository.</summary>
public interface IRepositoryLocator
{
    Task<RepositoryRemote?> LocateAsync(string repository, CancellationToken cancellationToken);
}
