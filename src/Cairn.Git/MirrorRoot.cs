namespace Cairn.Git;

/// <summary>The directory that holds every mirror, shared by <see cref="GitMirror"/> (fetch, read) and
/// <see cref="GitCheckouts"/> (worktrees, checkouts): where a repository's mirror lives, the lock that lets one writer
/// at a time change it (in this process and any other sharing the directory), and the one git they both run.</summary>
internal sealed class MirrorRoot
{
    private readonly TimeProvider _time;
    private readonly string _home;

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
        string? directory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null, long maxOutputBytes = long.MaxValue)
    {
        CreatePrivateDirectory(_home);
        return Git.RunAsync(directory, arguments, Options.LocalTimeout, cancellationToken, input: input, maxOutputBytes: maxOutputBytes);
    }

    /// <summary>Waits for the right to change the mirror of <paramref name="repository"/>; dispose it to let go.</summary>
    public Task<IDisposable> LockAsync(string repository, CancellationToken cancellationToken)
    {
        CreatePrivateDirectory(Root);
        var lockFile = InRoot(GitNames.MirrorDirectory(repository) + ".lock", repository);
        return MirrorLock.AcquireAsync(lockFile, $"the mirror of {repository}", Options.LockTimeout, _time, cancellationToken);
    }

    public static bool Exists(string mirror) => File.Exists(Path.Combine(mirror, "HEAD"));

    public async Task<bool> HasCommitAtAsync(string mirror, string commit, CancellationToken cancellationToken) =>
        Exists(mirror) && (await RunAsync(mirror, ["cat-file", "-e", $"{commit}^{{commit}}"], cancellationToken)).Succeeded;

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
