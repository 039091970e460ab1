using System.Collections.Concurrent;
using System.Text;

namespace Cairn.Executors.Agent;

/// <summary>Where an agent job's branch lives. A job of a repository works in a bare repository of the executor's own,
/// <c>ROOT/repositories/OWNER--NAME.git</c>, which outlives the job's workspace (a server's workspaces are thrown away
/// after each attempt): its branches are there for the next attempt, the next agent job and the publish job. A run of
/// no repository (<c>cairn run</c>) works in the workspace's own repository.</summary>
public static class AgentRepositories
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Turns = new(StringComparer.Ordinal);

    /// <summary>The repository's folder under <paramref name="root"/>.</summary>
    public static string PathOf(string root, string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var name = new StringBuilder(repository.Length);
        foreach (var c in repository)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        // '/' became '-' above; the owner and name are told apart by '--' so that a-b/c and a/b-c stay apart.
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        var safe = slash < 0 ? name.ToString() : $"{name.ToString(0, slash)}--{name.ToString(slash + 1, name.Length - slash - 1)}";
        safe = safe.Trim('.');
        return System.IO.Path.Combine(root, "repositories", (safe.Length == 0 ? "repository" : safe) + ".git");
    }

    /// <summary>Makes the repository when it is not there and brings the run's commit into it from the workspace.</summary>
    internal static async Task<string> PrepareAsync(string root, string repository, string workspace, string baseSha, CancellationToken cancellationToken)
    {
        var path = PathOf(root, repository);
        var turn = Turns.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                await new AgentGit(path).RunAsync(cancellationToken, "init", "-q", "--bare");
            }

            var git = new AgentGit(path);

            // The run's commit comes from a workspace holding just that commit, so this repository is shallow, and so is
            // each job's work repository: a push of an agent's branch back here may move the shallow boundary.
            await git.RunAsync(cancellationToken, "config", "receive.shallowUpdate", "true");
            if (!await git.ExistsAsync(baseSha, cancellationToken))
            {
                await git.RunAsync(cancellationToken, "fetch", "-q", "--no-tags", workspace, $"+HEAD:refs/cairn/base/{baseSha}");
            }

            return path;
        }
        finally
        {
            turn.Release();
        }
    }
}
