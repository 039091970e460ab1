using System.Collections.Concurrent;

namespace Cairn.Git;

/// <summary>The directory that holds every mirror, shared by <see cref="GitMirror"/> (fetch, read) and
/// <see cref="GitCheckouts"/> (worktrees, checkouts): where a repository's mirror lives, the lock that lets one writer
/// at a time change it (in this process and any other sharing the directory), and the one git they both run.</summary>
internal sealed class MirrorRoot
{
    // A commit's own text is a few hundred bytes; one far larger is not held, only said to be there.
    private const long CommitContent = 64 * 1024;

    private readonly TimeProvider _time;
    private readonly string _home;
    private readonly ConcurrentDictionary<string, MirrorObjects> _objects = new(StringComparer.Ordinal);

    public MirrorRoot(string root, GitMirrorOptions options, TimeProvider time)
    {
        Root = root;
        Options = options;
        _time = time;

        // git's HOME: an empty directory, so that nobody's ~/.gitconfig or credentials take part.
        _home = Path.Combine(Root, ".home");
        Git = new GitProcess(Options.GitPath, _home);
    }

    public string Root { get; }

    public GitMirrorOptions Options { get; }

    public GitProcess Git { get; }

    /// <summary>The mirror's directory for <paramref name="repository"/>: always a directory right under
    /// <see cref="Root"/>, whatever the name holds.</summary>
    public string PathOf(string repository) => InRoot(GitNames.MirrorDirectory(repository), repository);

    /// <summary>Runs a local git command (not a fetch) in <paramref name="directory"/>, within
    /// <see cref="GitMirrorOptions.LocalTimeout"/>.</summary>
    public Task<GitResult> RunAsync(
        string? directory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null, long maxOutputBytes = long.MaxValue,
        IReadOnlyDictionary<string, string>? environment = null, Action<int>? started = null)
    {
        CreatePrivateDirectory(_home);
        return Git.RunAsync(directory, arguments, Options.LocalTimeout, cancellationToken, environment, input, maxOutputBytes, started);
    }

    /// <summary>Waits for the right to change the mirror of <paramref name="repository"/>; dispose it to let go.</summary>
    public Task<IDisposable> LockAsync(string repository, CancellationToken cancellationToken)
    {
        CreatePrivateDirectory(Root);
        var lockFile = InRoot(GitNames.MirrorDirectory(repository) + ".lock", repository);
        return MirrorLock.AcquireAsync(lockFile, $"the mirror of {repository}", Options.LockTimeout, _time, cancellationToken);
    }

    public static bool Exists(string mirror) => File.Exists(Path.Combine(mirror, "HEAD"));

    /// <summary>The kept reader of <paramref name="mirror"/>'s objects (see <see cref="MirrorObjects"/>).</summary>
    public MirrorObjects Objects(string mirror) =>
        _objects.GetOrAdd(mirror, m => new MirrorObjects(Git, m, Options.LocalTimeout, _time));

    /// <summary>Whether the mirror holds <paramref name="commit"/>, asked of its kept reader: no process of its own. False
    /// also when git cannot read the mirror.</summary>
    public async Task<bool> HasCommitAtAsync(string mirror, string commit, CancellationToken cancellationToken)
    {
        if (!Exists(mirror))
        {
            return false;
        }

        CreatePrivateDirectory(_home);
        try
        {
            return await Objects(mirror).ReadAsync($"{commit}^{{commit}}", CommitContent, cancellationToken) is { Type: "commit" };
        }
        catch (GitException)
        {
            // The kept reader failed (the mirror was not yet a repository when it started, say): asked once more of a
            // process of its own, named by --git-dir for the same reason.
            return (await RunAsync(mirror, [$"--git-dir={mirror}", "cat-file", "-e", $"{commit}^{{commit}}"], cancellationToken)).Succeeded;
        }
    }

    /// <summary>The mirror of <paramref name="repository"/>, which must exist: without it, <paramref name="commit"/>
    /// has not been fetched.</summary>
    public string ExistingMirror(string repository, string commit)
    {
        var mirror = PathOf(repository);
        return Exists(mirror) ? mirror : throw NotInMirror(repository, commit);
    }

    public static GitException NotInMirror(string repository, string commit) =>
        new($"commit {GitNames.Short(commit)} of {repository} has not been fetched");

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

    // MirrorDirectory makes one plain segment of any name; this is the check that it did.
    private string InRoot(string entry, string repository)
    {
        var path = Path.GetFullPath(Path.Combine(Root, entry));
        return Path.GetDirectoryName(path) == Root && Path.GetFileName(path) == entry
            ? path
            : throw new GitException($"the repository name '{repository}' does not make a directory under {Root}");
    }
}
