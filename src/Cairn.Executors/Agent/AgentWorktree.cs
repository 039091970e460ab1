using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Agent;

/// <summary>The agent's own work repository of the job's repository, at a path stable across attempts (the CLIs key their
/// sessions by working directory), on the job's branch, with every agent CLI's configuration taken from the run's
/// commit; and what the agent left, committed and checked against the protected paths.</summary>
internal sealed class AgentWorktree(string repository, string path)
{
    private readonly AgentGit _repository = new(repository);
    private readonly AgentGit _worktree = new(path);

    public string Path => path;

    private string? _branch;

    /// <summary>Makes the work repository (a stale one removed first) on the job's branch: its tip on a later attempt,
    /// else a fresh branch from the start branch's tip or the run's commit. It is a repository of its own, holding just
    /// the start and the run's commit (shallow), not a worktree whose git data would live in the job's repository: the
    /// agent and its verify steps, running as the steps' user, can use git in it, and reach nothing of the repository.</summary>
    public async Task PrepareAsync(AgentSpec agent, int attempt, CancellationToken cancellationToken)
    {
        await RemoveAsync(cancellationToken);
        var branchRef = "refs/heads/" + agent.Branch;
        string start;
        if (attempt > 1 && await _repository.ExistsAsync(branchRef, cancellationToken))
        {
            start = branchRef;
        }
        else if (agent.StartBranch is { } from && await _repository.ExistsAsync("refs/heads/" + from, cancellationToken))
        {
            start = "refs/heads/" + from;
        }
        else
        {
            start = agent.BaseSha;
        }

        var sha = (await _repository.RunAsync(cancellationToken, "rev-parse", "--verify", start + "^{commit}")).Trim();
        var baseSha = (await _repository.RunAsync(cancellationToken, "rev-parse", "--verify", agent.BaseSha + "^{commit}")).Trim();

        // Refs of this preparation's own name hold the two commits while they are fetched, whatever the repository allows
        // to be fetched by id; they are gone again after.
        var handle = Guid.NewGuid().ToString("N");
        var (startRef, baseRef) = ($"refs/cairn/work/{handle}/start", $"refs/cairn/work/{handle}/base");
        await _repository.RunAsync(cancellationToken, "update-ref", startRef, sha);
        await _repository.RunAsync(cancellationToken, "update-ref", baseRef, baseSha);
        try
        {
            Directory.CreateDirectory(path);
            await _worktree.RunAsync(cancellationToken, "init", "-q");
            await _worktree.RunAsync(
                cancellationToken, "fetch", "-q", "--no-tags", "--depth=1", "--end-of-options", System.IO.Path.GetFullPath(repository),
                $"+{startRef}:refs/cairn/start", $"+{baseRef}:refs/cairn/base");
        }
        finally
        {
            await _repository.TryAsync(CancellationToken.None, "update-ref", "-d", startRef);
            await _repository.TryAsync(CancellationToken.None, "update-ref", "-d", baseRef);
        }

        await _worktree.RunAsync(cancellationToken, "checkout", "-q", "-B", agent.Branch, sha);
        _branch = agent.Branch;
        await RestoreConfigurationAsync(agent.BaseSha, cancellationToken);
    }

    /// <summary>Every agent CLI's configuration as it is at <paramref name="baseSha"/>: checked out from it, or removed
    /// when it has none there.</summary>
    private async Task RestoreConfigurationAsync(string baseSha, CancellationToken cancellationToken)
    {
        var paths = Enum.GetValues<AgentCli>().SelectMany(cli => AgentAdapters.For(cli).ConfigPaths)
            .Select(p => p.TrimEnd('/')).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal);
        foreach (var relative in paths)
        {
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(path, relative));
            if (!full.StartsWith(System.IO.Path.GetFullPath(path) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            await _worktree.TryAsync(cancellationToken, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", relative);
            if (Directory.Exists(full))
            {
                Directory.Delete(full, recursive: true);
            }
            else if (File.Exists(full))
            {
                File.Delete(full);
            }

            if ((await _worktree.TryAsync(cancellationToken, "cat-file", "-e", $"{baseSha}:{relative}")).Code == 0)
            {
                await _worktree.RunAsync(cancellationToken, "checkout", baseSha, "--", relative);
            }
        }
    }

    /// <summary>The role file's text at the run's commit (never the worktree's copy), or null when it has none there.</summary>
    public async Task<string?> ReadRoleAsync(string baseSha, string role, CancellationToken cancellationToken)
    {
        var (code, text, _) = await _repository.TryAsync(cancellationToken, "show", $"{baseSha}:{role.TrimStart('/')}");
        return code == 0 ? text : null;
    }

    /// <summary>Commits whatever the agent left uncommitted; returns the branch's tip.</summary>
    public async Task<string> CommitAsync(string jobName, long runId, CancellationToken cancellationToken)
    {
        await _worktree.RunAsync(cancellationToken, "add", "-A");
        if ((await _worktree.TryAsync(cancellationToken, "diff", "--cached", "--quiet")).Code != 0)
        {
            await _worktree.RunAsync(cancellationToken, "commit", "-q", "--no-verify", "-m",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{jobName}: agent changes (run {runId})"));
        }

        // The branch lives on in the job's repository, for the next attempt, the next agent job and the publish job.
        var head = (await _worktree.RunAsync(cancellationToken, "rev-parse", "HEAD")).Trim();
        await _worktree.RunAsync(
            cancellationToken, "push", "-q", "--no-verify", "--end-of-options", System.IO.Path.GetFullPath(repository),
            $"+{head}:refs/heads/{_branch ?? throw new InvalidOperationException("the work repository was not prepared")}");
        return head;
    }

    /// <summary>The files changed from the run's commit to the branch's tip that a protected glob matches.</summary>
    public async Task<IReadOnlyList<string>> ProtectedChangesAsync(string baseSha, IReadOnlyList<string> globs, CancellationToken cancellationToken)
    {
        var changed = await _worktree.RunAsync(cancellationToken, "diff", "--name-only", "--no-renames", baseSha, "HEAD");
        return [.. changed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(Core.Pipelines.Glob.Compile(globs))];
    }

    /// <summary>Removes the work repository; the branch stays in the job's repository.</summary>
    public Task RemoveAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return Task.CompletedTask;
    }
}
