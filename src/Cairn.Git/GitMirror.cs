using System.Text;

namespace Cairn.Git;

/// <summary>One bare mirror per repository under a root directory (the data directory's <c>git/</c>): commits are
/// fetched into it once and read from it (a pipeline file, the paths a push changed); <see cref="GitCheckouts"/> checks
/// them out of it. Everything that writes to a mirror (fetch, worktree add and remove) runs one at a time per
/// repository, across every process sharing the root; reads do not wait.</summary>
/// <remarks>Tokens reach git through its environment as an http header scoped to the clone URL's server, never on
/// its command line or on disk, and are removed from every message git prints before it is shown.</remarks>
public sealed class GitMirror
{
    // Every object a fetch brings is checked (malformed trees, commits, tags are refused with the whole pack), also in
    // mirrors made before the setting was written into their config at init.
    private static readonly string[] CheckObjects = ["-c", "fetch.fsckObjects=true", "-c", "transfer.fsckObjects=true"];

    private static readonly (string Key, string Value)[] MirrorConfig =
        [("gc.autoDetach", "false"), ("fetch.fsckObjects", "true"), ("transfer.fsckObjects", "true")];

    public GitMirror(string root, GitMirrorOptions? options = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Mirrors = new MirrorRoot(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)), options ?? new GitMirrorOptions(), time ?? TimeProvider.System);
    }

    public string Root => Mirrors.Root;

    /// <summary>The directory, lock and git that <see cref="GitCheckouts"/> shares.</summary>
    internal MirrorRoot Mirrors { get; }

    /// <summary>The mirror's directory for <paramref name="repository"/> (it may not exist yet): always a directory
    /// right under <see cref="Root"/>, whatever the name holds.</summary>
    public string PathOf(string repository) => Mirrors.PathOf(repository);

    /// <summary>Makes sure the mirror holds commit <paramref name="sha"/>, fetching it (with its history) from
    /// <paramref name="cloneUrl"/> only when it is not there yet: first <paramref name="gitRef"/> when given, then the
    /// commit itself, and, from servers that refuse to hand out a commit by its SHA, every branch and tag.</summary>
    /// <exception cref="GitException">The commit could not be fetched; the message says why, in git's words.</exception>
    public async Task EnsureCommitAsync(string repository, string cloneUrl, string? token, string sha, string? gitRef, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var refName = gitRef is null ? null : GitNames.Ref(gitRef);
        var remote = GitRemote.Create(cloneUrl, token, Mirrors.Options.TokenUserName);
        var mirror = PathOf(repository);
        if (await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            return;
        }

        using var held = await Mirrors.LockAsync(repository, cancellationToken);
        await InitAsync(repository, mirror, cancellationToken);
        if (await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            return;
        }

        var what = $"could not fetch {GitNames.Short(commit)} from {remote.Display}";
        if (refName is not null)
        {
            // The ref usually still points at the commit, or past it: the commit comes with the ref's history.
            var byRef = await FetchAsync(mirror, remote, [$"+{refName}:{refName}"], what, cancellationToken);
            if (byRef.Succeeded && await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
            {
                return;
            }
        }

        var bySha = await FetchAsync(mirror, remote, [commit], what, cancellationToken);
        if (bySha.Succeeded && await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            return;
        }

        if (!bySha.Succeeded && refName is null)
        {
            var all = await FetchAsync(mirror, remote, ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], what, cancellationToken);
            if (all.Succeeded && await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
            {
                return;
            }
        }

        throw bySha.Succeeded
            ? new GitException($"{what}: the repository does not have that commit")
            : GitFailures.From(what, bySha, remote.Secrets);
    }

    /// <summary>Fetches <paramref name="gitRef"/> (a full ref, or a branch name) and returns the commit it points at:
    /// for runs started with only a branch.</summary>
    /// <exception cref="GitException">The ref could not be fetched or names no commit.</exception>
    public async Task<string> ResolveRefAsync(string repository, string cloneUrl, string? token, string gitRef, CancellationToken cancellationToken)
    {
        var refName = GitNames.Ref(gitRef);
        var remote = GitRemote.Create(cloneUrl, token, Mirrors.Options.TokenUserName);
        var mirror = PathOf(repository);
        using var held = await Mirrors.LockAsync(repository, cancellationToken);
        await InitAsync(repository, mirror, cancellationToken);
        var what = $"could not fetch {refName} from {remote.Display}";
        var fetched = await FetchAsync(mirror, remote, [$"+{refName}:{refName}"], what, cancellationToken);
        if (!fetched.Succeeded)
        {
            throw GitFailures.From(what, fetched, remote.Secrets);
        }

        var parsed = await Mirrors.RunAsync(mirror, ["rev-parse", "--verify", "--quiet", "--end-of-options", $"{refName}^{{commit}}"], cancellationToken);
        return parsed.Succeeded
            ? parsed.OutputText.Trim()
            : throw new GitException($"{refName} of {remote.Display} does not point at a commit");
    }

    /// <summary>Whether the mirror holds commit <paramref name="sha"/>; false when there is no mirror yet.</summary>
    public Task<bool> HasCommitAsync(string repository, string sha, CancellationToken cancellationToken) =>
        Mirrors.HasCommitAtAsync(PathOf(repository), GitNames.Sha(sha), cancellationToken);

    /// <summary>The text (UTF-8) of the file at <paramref name="path"/> in commit <paramref name="sha"/>, or null when
    /// there is no such file (or it is a directory). Its size is asked of git before it is read, and no more than
    /// <see cref="GitMirrorOptions.MaxFileBytes"/> is ever held.</summary>
    /// <exception cref="GitException">The mirror does not hold the commit.</exception>
    /// <exception cref="GitFileTooLargeException">The file is larger than <see cref="GitMirrorOptions.MaxFileBytes"/>.</exception>
    public async Task<string?> ReadFileAsync(string repository, string sha, string path, CancellationToken cancellationToken)
    {
        var commit = GitNames.Sha(sha);
        var file = GitNames.FilePath(path);
        var mirror = Mirrors.ExistingMirror(repository, commit);

        // Both questions go to the mirror's kept reader, not to git processes of their own: is the commit there, and
        // what is at the path. The file's size comes before its bytes, and a file over the limit is not read.
        if (!await Mirrors.HasCommitAtAsync(mirror, commit, cancellationToken))
        {
            throw MirrorRoot.NotInMirror(repository, commit);
        }

        var limit = Mirrors.Options.MaxFileBytes;
        if (await Mirrors.Objects(mirror).ReadAsync($"{commit}:{file}", limit, cancellationToken) is not { Type: "blob" } read)
        {
            return null;
        }

        if (read.Content is null)
        {
            throw new GitFileTooLargeException(file, read.Size, limit);
        }

        return new UTF8Encoding(false).GetString(read.Content).TrimStart('\uFEFF');
    }

    /// <summary>The paths that differ between two commits (a push's before and after), renames as a deletion and an
    /// addition; null when <paramref name="fromSha"/> is unknown here (a new branch's zero SHA, a commit never fetched,
    /// a history rewritten), which a <c>paths:</c> filter takes as "run".</summary>
    /// <exception cref="GitException">The mirror does not hold <paramref name="toSha"/>.</exception>
    public Task<IReadOnlyList<string>?> ChangedPathsAsync(string repository, string fromSha, string toSha, CancellationToken cancellationToken) =>
        DiffAsync(repository, fromSha, toSha, sinceMergeBase: false, cancellationToken);

    /// <summary>The paths a pull request changes: from where its head left the base branch (their merge base) to its
    /// head, so that later commits on the base branch do not count. Null when the base is unknown or unrelated.</summary>
    /// <exception cref="GitException">The mirror does not hold <paramref name="headSha"/>.</exception>
    public Task<IReadOnlyList<string>?> PullRequestChangedPathsAsync(string repository, string baseSha, string headSha, CancellationToken cancellationToken) =>
        DiffAsync(repository, baseSha, headSha, sinceMergeBase: true, cancellationToken);

    private async Task<IReadOnlyList<string>?> DiffAsync(string repository, string fromSha, string toSha, bool sinceMergeBase, CancellationToken cancellationToken)
    {
        var to = GitNames.Sha(toSha);
        var mirror = Mirrors.ExistingMirror(repository, to);
        if (!await Mirrors.HasCommitAtAsync(mirror, to, cancellationToken))
        {
            throw MirrorRoot.NotInMirror(repository, to);
        }

        if (fromSha is not { Length: 40 or 64 } || !fromSha.All(char.IsAsciiHexDigit) || GitNames.IsZero(fromSha))
        {
            return null;
        }

        var from = fromSha.ToLowerInvariant();
        if (!await Mirrors.HasCommitAtAsync(mirror, from, cancellationToken))
        {
            return null;
        }

        var range = sinceMergeBase ? [$"{from}...{to}"] : new[] { from, to };
        var diff = await Mirrors.RunAsync(mirror, ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--end-of-options", .. range], cancellationToken);
        if (!diff.Succeeded)
        {
            // Only a merge base can be missing here: the two histories share nothing.
            return sinceMergeBase ? null : throw GitFailures.From($"could not compare {GitNames.Short(from)} and {GitNames.Short(to)} of {repository}", diff, []);
        }

        return [.. diff.OutputText.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>One fetch; a server that sends objects failing the check is not asked again in another way.</summary>
    private async Task<GitResult> FetchAsync(string mirror, GitRemote remote, IReadOnlyList<string> refspecs, string what, CancellationToken cancellationToken)
    {
        GitResult result;
        try
        {
            result = await Mirrors.Git.RunAsync(
                mirror,
                [.. CheckObjects, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", "--end-of-options", remote.Url, .. refspecs],
                Mirrors.Options.FetchTimeout,
                cancellationToken,
                remote.Environment);
        }
        catch (GitException ex)
        {
            throw new GitException($"{what}: {GitRemote.Redact(ex.Message, remote.Secrets)}", ex);
        }

        return !result.Succeeded && GitFailures.FailedIntegrityCheck(result.Error)
            ? throw GitFailures.From(what, result, remote.Secrets)
            : result;
    }

    private async Task InitAsync(string repository, string mirror, CancellationToken cancellationToken)
    {
        if (MirrorRoot.Exists(mirror))
        {
            return;
        }

        // No template: no sample hooks. gc in the foreground: never a detached gc outliving the lock. Fetched objects
        // checked, whoever fetches into this mirror. Shared 0600: every file git writes into the mirror is its owner's
        // alone, like the rest of the data directory.
        var init = await Mirrors.RunAsync(null, ["init", "--bare", "--quiet", "--template=", "--shared=0600", "--end-of-options", mirror], cancellationToken);
        foreach (var (key, value) in MirrorConfig)
        {
            var configured = init.Succeeded ? await Mirrors.RunAsync(mirror, ["config", key, value], cancellationToken) : init;
            if (!configured.Succeeded)
            {
                throw GitFailures.From($"could not create the mirror of {repository} in {mirror}", configured, []);
            }
        }
    }
}
