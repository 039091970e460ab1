using Cairn.Core.Access;
using Cairn.Core.Secrets;
using Cairn.Server.Access;

namespace Cairn.Server.Services;

/// <summary>Which audit entries a caller may read: an admin every one; anyone else only those of the repositories they
/// maintain (hold maintainer or more on). Entries of no repository (users, tokens, global secrets, sign-ins) are for
/// admins only. The API and the dashboard's page both ask here.</summary>
public sealed class AuditVisibility(RepositoryAccess access)
{
    /// <summary>The least role on a repository that reads its part of the audit log.</summary>
    public const Role LeastRole = Role.Maintainer;

    /// <summary><paramref name="query"/> narrowed to what <paramref name="caller"/> may read.</summary>
    public async Task<AuditQuery> NarrowAsync(Caller caller, AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        if (caller.MayGlobally(Permission.ReadAllAudit))
        {
            return query;
        }

        var maintained = caller.IsSignedIn
            ? (await access.RolesAsync(caller, cancellationToken)).Where(r => r.Role >= LeastRole).Select(r => r.Repository.Name).ToList()
            : [];
        return query with { Repositories = maintained };
    }
}
