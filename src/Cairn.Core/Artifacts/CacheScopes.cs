using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Artifacts;

/// <summary>Which caches a run may read and where it may save them. Caches belong to a repository; inside it, to a scope:
/// <c>branch/NAME</c>, <c>tag/NAME</c>, <c>pull/N</c>, or <c>local</c> for a run on no ref. A run reads its own scope first, then its pull request's base
/// branch, then the repository's default branch; it saves only in its own. A pull request from a fork reads the base and
/// default branches and saves nothing, so no fork can put a cache where the default branch would restore it.</summary>
/// <param name="Repository">The cache's repository (<c>owner/name</c>; a run with none uses <see cref="LocalRepository"/>).</param>
/// <param name="Read">Scopes in the order they are searched.</param>
/// <param name="Save">The scope saved in; null: none.</param>
public sealed record CacheScopes(string Repository, IReadOnlyList<string> Read, string? Save)
{
    /// <summary>The repository name caches of a run with none (<c>cairn run</c> outside a known repository) go under.</summary>
    public const string LocalRepository = "local";

    /// <summary>The scope of a run on no ref at all (<c>cairn run</c> outside a git repository).</summary>
    public const string NoRef = "local";

    /// <summary>The scope of a branch.</summary>
    public static string OfBranch(string branch) => $"branch/{branch}";

    /// <summary>The scopes of <paramref name="run"/>, whose repository's default branch is <paramref name="defaultBranch"/>
    /// (null when unknown).</summary>
    public static CacheScopes For(RunRecord run, string? defaultBranch)
    {
        ArgumentNullException.ThrowIfNull(run);
        var read = new List<string>();
        string? save;
        if (run.Trigger?.PullRequest is { } pullRequest)
        {
            save = pullRequest.IsFork ? null : $"pull/{pullRequest.Number}";
            Add(read, save);
            Add(read, string.IsNullOrEmpty(pullRequest.BaseBranch) ? null : OfBranch(pullRequest.BaseBranch));
        }
        else if (TriggerEvent.TagOf(run.Ref) is { } tag)
        {
            save = $"tag/{tag}";
            Add(read, save);
        }
        else
        {
            var branch = TriggerEvent.BranchOf(run.Ref) ?? run.Ref;
            save = string.IsNullOrEmpty(branch) ? NoRef : OfBranch(branch);
            Add(read, save);
        }

        Add(read, string.IsNullOrEmpty(defaultBranch) ? null : OfBranch(defaultBranch));
        return new CacheScopes(run.Repository ?? LocalRepository, read, save);
    }

    private static void Add(List<string> scopes, string? scope)
    {
        if (scope is not null && !scopes.Contains(scope, StringComparer.Ordinal))
        {
            scopes.Add(scope);
        }
    }
}
