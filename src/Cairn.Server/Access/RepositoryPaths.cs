using Cairn.Core.Access;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Access;

/// <summary>What a request to a path under <c>/api/v1/repos/</c> needs on its repository, by method and by what the path
/// names (<see cref="RepositoryPath"/>): the rule of the routes that take the rest of the path.</summary>
internal static class RepositoryPaths
{
    public static Permission PermissionOf(string method, RepositoryPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Resource switch
        {
            RepositoryResource.Repository when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => Permission.ReadRuns,
            RepositoryResource.Repository when HttpMethods.IsDelete(method) => Permission.ManageRepositories,
            RepositoryResource.Repository => Permission.ManageRepositorySettings,
            RepositoryResource.Runs when HttpMethods.IsPost(method) => Permission.Trigger,
            RepositoryResource.Runs => Permission.ReadRuns,
            RepositoryResource.Secrets or RepositoryResource.Secret => Permission.ManageRepositorySecrets,
            _ => Permission.ManageMembers,
        };
    }
}
