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
    /// mirror stays readable by the server alone. Made as a shallow fetch from the mirror would make it, with three git
    /// processes instead of a fetch's seven: the mirror packs the commit's objects straight into the new repository
    /// (<c>pack-objects</c>, its history cut at the commit), the commit is written down as its shallow boundary, and
    /// the files are checked out.</summary>
    /// <exception cref="GitException">The mirror does not hold the commit, or the checkout failed.</exception>
    public async Task CheckOutAsync(string repository, string sha, string directory, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var mirror = _mirrors.ExistingMirror(repository, commit);
        var target = Path.GetFullPath(directory);
        var made = !Directory.Exists(target);
        var what = $"could not check out {GitNames.Short(commit)} of {repository}";
        try
        {
            var started = _mirrors.Options.CheckoutStarted;
            var init = await _mirrors.RunAsync(null, ["init", "--quiet", "--template=", "--end-of-options", target], cancellationToken, started: started);
            if (!init.Succeeded)
            {
                throw GitFailures.From(what, init, []);
            }

            // "--shallow" names a commit whose parents are not followed: the pack holds the commit, its trees and blobs.
            // pack-objects runs in the new repository, reading the mirror's objects as an alternate for this process only
            // (nothing of it is written into the repository): it writes its temporary files where the pack goes, and a
            // workspace on another file system than the mirror's is renamed into as well as one on the same.
            var gitDirectory = Path.Combine(target, ".git");
            var packed = await _mirrors.RunAsync(
                target,
                ["pack-objects", "--revs", "--delta-base-offset", "--quiet", "--end-of-options", Path.Combine(gitDirectory, "objects", "pack", "pack")],
                cancellationToken,
                input: $"--shallow {commit}\n{commit}\n",
                environment: new Dictionary<string, string>(StringComparer.Ordinal) { ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = Path.Combine(mirror, "objects") },
                started: started);
            if (!packed.Succeeded)
            {
                // Asked only now: nearly always the commit is there, and a question costs a process.
                throw await _mirrors.HasCommitAtAsync(mirror, commit, cancellationToken)
                    ? GitFailures.From(what, packed, [])
                    : MirrorRoot.NotInMirror(repository, commit);
            }

            await File.WriteAllTextAsync(Path.Combine(gitDirectory, "shallow"), commit + "\n", cancellationToken);
            var checkedOut = await _mirrors.RunAsync(target, ["checkout", "--quiet", "--detach", commit, "--"], cancellationToken, started: started);
            if (!checkedOut.Succeeded)
            {
                throw GitFailures.From(what, checkedOut, []);
            }
        }
        catch when (made)
        {
            DeleteDirectory(target);
            throw;
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
