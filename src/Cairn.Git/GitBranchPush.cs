using Cairn.Core.Agents;

namespace Cairn.Git;

/// <summary>What a publish job needs of a mirror: the tip of an agent's branch, the paths it changed since the run's
/// commit, and a push of that one branch to the repository's remote. Only branches under <c>cairn/</c> are ever
/// pushed, each as <c>+refs/heads/cairn/X:refs/heads/cairn/X</c> and nothing else.</summary>
/// <remarks>The token reaches git as an http header through its environment (<c>GIT_CONFIG_COUNT</c>,
/// <c>GIT_CONFIG_KEY_0</c>, <c>GIT_CONFIG_VALUE_0</c>), never on its command line or in the URL, and is removed from
/// every message git prints before it is shown.</remarks>
public sealed class GitBranchPush(GitMirror mirror)
{
    /// <summary>The commit <paramref name="branch"/> points at in the mirror; null when there is no mirror or no such branch.</summary>
    public async Task<string?> TipAsync(string repository, string branch, CancellationToken cancellationToken)
    {
        var refName = AgentRef(branch);
        var path = mirror.PathOf(repository);
        if (!MirrorRoot.Exists(path))
        {
            return null;
        }

        var parsed = await mirror.Mirrors.RunAsync(path, ["rev-parse", "--verify", "--quiet", "--end-of-options", $"{refName}^{{commit}}"], cancellationToken);
        return parsed.Succeeded ? parsed.OutputText.Trim() : null;
    }

    /// <summary>Brings <paramref name="branch"/> of another repository on this host (where an agent job keeps its branches)
    /// into the mirror, replacing the mirror's copy. False when there is no mirror, no such repository or no such branch
    /// in it: the mirror is left as it was.</summary>
    public async Task<bool> ImportAsync(string repository, string source, string branch, CancellationToken cancellationToken)
    {
        var refName = AgentRef(branch);
        var path = mirror.PathOf(repository);
        if (!MirrorRoot.Exists(path) || !Directory.Exists(source))
        {
            return false;
        }

        var fetched = await mirror.Mirrors.RunAsync(
            path, ["fetch", "--quiet", "--no-tags", "--end-of-options", Path.GetFullPath(source), $"+{refName}:{refName}"], cancellationToken);
        return fetched.Succeeded;
    }

    /// <summary>The paths that differ between the run's commit and the branch's tip; null when the mirror does not
    /// hold the run's commit.</summary>
    /// <exception cref="GitException">The mirror does not hold <paramref name="tipSha"/>.</exception>
    public Task<IReadOnlyList<string>?> ChangedPathsAsync(string repository, string baseSha, string tipSha, CancellationToken cancellationToken) =>
        mirror.ChangedPathsAsync(repository, baseSha, tipSha, cancellationToken);

    /// <summary>Pushes <paramref name="branch"/> of the mirror to <paramref name="remoteUrl"/>, forced (an agent's branch
    /// is its own), with <paramref name="token"/> for an http(s) remote.</summary>
    /// <exception cref="ArgumentException">The branch is not under <c>cairn/</c>.</exception>
    /// <exception cref="GitException">The push failed; the message says why in git's words, without the token.</exception>
    public async Task PushAsync(string repository, string remoteUrl, string? token, string branch, CancellationToken cancellationToken)
    {
        var refName = AgentRef(branch);
        var remote = GitRemote.Create(remoteUrl, token, mirror.Mirrors.Options.TokenUserName);
        var path = mirror.PathOf(repository);
        var what = $"could not push {branch} to {remote.Display}";
        if (!MirrorRoot.Exists(path))
        {
            throw new GitException($"{what}: there is no mirror of {repository}");
        }

        GitResult pushed;
        try
        {
            pushed = await mirror.Mirrors.Git.RunAsync(
                path,
                ["push", "--quiet", "--no-verify", "--porcelain", "--end-of-options", remote.Url, $"+{refName}:{refName}"],
                mirror.Mirrors.Options.FetchTimeout,
                cancellationToken,
                remote.Environment);
        }
        catch (GitException ex)
        {
            throw new GitException($"{what}: {GitRemote.Redact(ex.Message, remote.Secrets)}", ex);
        }

        if (!pushed.Succeeded)
        {
            throw GitFailures.From(what, pushed, remote.Secrets);
        }
    }

    private static string AgentRef(string branch)
    {
        if (!AgentBranches.IsAgentBranch(branch))
        {
            throw new ArgumentException($"only branches under {AgentBranches.Prefix} are pushed, not '{branch}'", nameof(branch));
        }

        return GitNames.Ref($"refs/heads/{branch}");
    }
}
