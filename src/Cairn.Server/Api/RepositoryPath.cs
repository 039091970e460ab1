namespace Cairn.Server.Api;

/// <summary>What a path under <c>/api/v1/repos/</c> names, once split on its last known suffix: the repository itself,
/// its runs (<c>…/runs</c>), its secrets (<c>…/secrets</c>), one secret (<c>…/secrets/NAME</c>), its members
/// (<c>…/members</c>), one member's grant (<c>…/members/USER</c>), its teams (<c>…/teams</c>) or one team's grant
/// (<c>…/teams/GROUP</c>).</summary>
internal enum RepositoryResource
{
    Repository,
    Runs,
    Secrets,
    Secret,
    Members,
    Member,
    Teams,
    Team,
}

/// <summary>A path under <c>/api/v1/repos/</c> read as a repository's full name of any depth (GitLab subgroups:
/// <c>group/sub/project</c>) and what follows it. ASP.NET Core takes a catch-all only at the end of a route, so the
/// routes for deep names take the whole rest and split it here; the suffix wins over a repository whose own name ends
/// like one (<c>…/secrets</c>), as it always has for <c>owner/repo</c>.</summary>
/// <param name="Secret">The secret's name, for <see cref="RepositoryResource.Secret"/>.</param>
/// <param name="Principal">The user's name for <see cref="RepositoryResource.Member"/>, the group's for
/// <see cref="RepositoryResource.Team"/>.</param>
internal sealed record RepositoryPath(string Repository, RepositoryResource Resource, string? Secret = null, string? Principal = null)
{
    private const string Runs = "runs";
    private const string Secrets = "secrets";
    private const string Members = "members";
    private const string Teams = "teams";

    /// <summary>Splits <paramref name="rest"/>, the path after <c>repos/</c>; a suffix counts only when at least two
    /// parts of a name stand before it.</summary>
    public static RepositoryPath Parse(string rest)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var parts = rest.Split('/');
        if (parts.Length >= 3 && parts[^1] == Runs)
        {
            return new(Join(parts, 1), RepositoryResource.Runs);
        }

        if (parts.Length >= 3 && parts[^1] == Secrets)
        {
            return new(Join(parts, 1), RepositoryResource.Secrets);
        }

        if (parts.Length >= 4 && parts[^2] == Secrets && parts[^1].Length > 0)
        {
            return new(Join(parts, 2), RepositoryResource.Secret, parts[^1]);
        }

        if (parts.Length >= 3 && parts[^1] is Members or Teams)
        {
            return new(Join(parts, 1), parts[^1] == Members ? RepositoryResource.Members : RepositoryResource.Teams);
        }

        if (parts.Length >= 4 && parts[^2] is Members or Teams && parts[^1].Length > 0)
        {
            var resource = parts[^2] == Members ? RepositoryResource.Member : RepositoryResource.Team;
            return new(Join(parts, 2), resource, Principal: parts[^1]);
        }

        return new(rest, RepositoryResource.Repository);
    }

    private static string Join(string[] parts, int dropped) => string.Join('/', parts[..^dropped]);
}
