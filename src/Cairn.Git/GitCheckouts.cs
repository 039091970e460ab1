namespace Cairn.Git;

/// <summary>Working copies of the commits a <see cref="GitMirror"/> holds: a detached worktree of the mirror, or a
/// repository of its own holding just the commit. Adding and removing worktrees changes the mirror, so it waits for
/// the same per-repository lock as a fetch; a standalone checkout only reads the mirror and does not wait.</summary>
public sealed class GitCheckouts
{
    private readonly MirrorRoot _mirrors;

    public GitCheckouts(GitMirror mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        _mirrors = mirror.Mirrors;
    }

    /// <summary>Checks commit <paramref name="sha"/> out into <paramref name="directory"/> (which must not exist or be
    /// empty) as a detached worktree of the mirror.</summary>
    /// <exception cref="GitException">The mirror does not hold the commit, or the checkout failed.</exception>
    public async Task AddWorktreeAsync(string repository, string sha, string directory, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var mirror = _mirrors.ExistingMirror(repository, commit);
        var target = Path.GetFullPath(directory);
        using var held = await _mirrors.LockAsync(repository, cancellationToken);
        if (!await _mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            throw MirrorRoot.NotInMirror(repository, commit);
        }

        var added = await _mirrors.RunAsync(mirror, ["worktree", "add", "--detach", "--quiet", "--end-of-options", target, commit], cancellationToken);
        if (!added.Succeeded)
        {
            throw GitFailures.From($"could not check out {GitNames.Short(commit)} of {repository}", added, []);
        }
    }

    /// <summary>Removes a worktree and forgets it; a directory already gone is fine.</summary>
    public async Task RemoveWorktreeAsync(string repository, string directory, CancellationToken cancellationToken)
    {
        var mirror = _mirrors.PathOf(repository);
        var target = Path.GetFullPath(directory);
        if (!MirrorRoot.Exists(mirror))
        {
            DeleteDirectory(target);
            return;
        }

        using var held = await _mirrors.LockAsync(repository, cancellationToken);
        if (Directory.Exists(target))
        {
            // Twice forced: also when the job left changes, untracked files, or a lock.
            await _mirrors.RunAsync(mirror, ["worktree", "remove", "--force", "--force", "--end-of-options", target], cancellationToken);
            DeleteDirectory(target);
        }

        var pruned = await _mirrors.RunAsync(mirror, ["worktree", "prune"], cancellationToken);
        if (!pruned.Succeeded)
        {
            throw GitFailures.From($"could not forget the worktree {target} of {repository}", pruned, []);
        }
    }

    /// <summary>Checks commit <paramref name="sha"/> out into <paramref name="directory"/> (which must not exist or be
    /// empty) as a repository of its own holding only that commit (shallow, depth 1): unlike a worktree it needs nothing
    /// of the mirror afterwards, so a step running as another user, or in a container, can use git in it while the
    /// mirror stays readable by the server alone.</summary>
    /// <exception cref="GitException">The mirror does not hold the commit, or the checkout failed.</exception>
    public async Task CheckOutAsync(string repository, string sha, string directory, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var mirror = _mirrors.ExistingMirror(repository, commit);
        var target = Path.GetFullPath(directory);
        if (!await _mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            throw MirrorRoot.NotInMirror(repository, commit);
        }

        var what = $"could not check out {GitNames.Short(commit)} of {repository}";
        var init = await _mirrors.RunAsync(null, ["init", "--quiet", "--template=", "--end-of-options", target], cancellationToken);
        var fetched = init.Succeeded
            ? await _mirrors.RunAsync(target, ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--depth=1", "--no-write-fetch-head", "--end-of-options", mirror, commit], cancellationToken)
            : init;
        var checkedOut = fetched.Succeeded
            ? await _mirrors.RunAsync(target, ["checkout", "--quiet", "--detach", commit, "--"], cancellationToken)
            : fetched;
        if (!checkedOut.Succeeded)
        {
            throw GitFailures.From(what, checkedOut, []);
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Something still holds a file; `worktree prune` forgets the entry once the directory is gone.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
