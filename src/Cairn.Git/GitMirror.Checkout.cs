namespace Cairn.Git;

public sealed partial class GitMirror
{
    /// <summary>Checks commit <paramref name="sha"/> out into <paramref name="directory"/> (which must not exist or be
    /// empty) as a repository of its own holding only that commit (shallow, depth 1): unlike a worktree it needs nothing
    /// of the mirror afterwards, so a step running as another user, or in a container, can use git in it while the
    /// mirror stays readable by the server alone.</summary>
    /// <exception cref="GitException">The mirror does not hold the commit, or the checkout failed.</exception>
    public async Task CheckOutAsync(string repository, string sha, string directory, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var mirror = ExistingMirror(repository, commit);
        var target = Path.GetFullPath(directory);
        if (!await HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            throw NotInMirror(repository, commit);
        }

        var what = $"could not check out {GitNames.Short(commit)} of {repository}";
        var init = await RunAsync(null, ["init", "--quiet", "--template=", "--end-of-options", target], cancellationToken);
        var fetched = init.Succeeded
            ? await RunAsync(target, ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--depth=1", "--no-write-fetch-head", "--end-of-options", mirror, commit], cancellationToken)
            : init;
        var checkedOut = fetched.Succeeded
            ? await RunAsync(target, ["checkout", "--quiet", "--detach", commit, "--"], cancellationToken)
            : fetched;
        if (!checkedOut.Succeeded)
        {
            throw GitFailures.From(what, checkedOut, []);
        }
    }

    // The mirrors live in the server's data directory: its folders are the server's alone.
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
