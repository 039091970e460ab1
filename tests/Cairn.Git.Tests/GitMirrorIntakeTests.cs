
namespace Cairn.Git.Tests;

/// <summary>What a mirror refuses to take in from a repository: files too large to read, objects git's integrity check
/// rejects.</summary>
public sealed class GitMirrorIntakeTests : IDisposable
{
    private const string Repository = "acme/shop";
    private const long Limit = 1024 * 1024;

    private readonly GitRepositoryFixture _repo = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadFile_OfAFileOverTheLimit_IsRefusedBySize_BeforeItIsRead()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { MaxFileBytes = Limit });
        var sha = _repo.Commit("huge", ".cairn.yml", Compressible(3 * 1024 * 1024));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);

        var error = await Assert.ThrowsAsync<GitFileTooLargeException>(() => mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));

        Assert.Equal(".cairn.yml", error.Path);
        Assert.Equal(3 * 1024 * 1024, error.Size);
        Assert.Equal(Limit, error.Limit);
    }

    [Fact]
    public async Task ReadFile_AtTheLimit_IsRead()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { MaxFileBytes = Limit });
        var text = Compressible((int)Limit);
        var sha = _repo.Commit("just fits", ".cairn.yml", text);
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);

        Assert.Equal(text, await mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ReadFile_HoldsNoMoreThanTheLimit_WhenTheFileTurnsOutLargerThanGitSaid()
    {
        // A git whose size answers lie (as a race would): it says a blob has 10 bytes, then prints the whole 3 MiB.
        var lyingGit = _repo.Scratch("lying-git");
        File.WriteAllText(lyingGit, """
            #!/bin/sh
            for a in "$@"; do
              if [ "$a" = "--batch" ]; then
                git "$@" | sed -u 's/ blob [0-9]*$/ blob 10/'
                exit 0
              fi
            done
            exec git "$@"
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(lyingGit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { GitPath = lyingGit, MaxFileBytes = Limit });
        var sha = _repo.Commit("huge", ".cairn.yml", Compressible(3 * 1024 * 1024));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);

        // Only the 10 bytes said (and the line end after them) are read; what follows them is not an answer.
        var error = await Assert.ThrowsAsync<GitException>(() => mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));

        Assert.Contains("does not end where its header said", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFile_AfterAFileOverTheLimit_AndAfterAFetch_ReadsOnWithTheSameMirror()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { MaxFileBytes = Limit });
        var small = _repo.Commit("small", ".cairn.yml", "name: one\n");
        var huge = _repo.Commit("huge", ".cairn.yml", Compressible(3 * 1024 * 1024));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, huge, "refs/heads/main", Token);

        Assert.Equal("name: one\n", await mirror.ReadFileAsync(Repository, small, ".cairn.yml", Token));
        var tooLarge = await Assert.ThrowsAsync<GitFileTooLargeException>(() => mirror.ReadFileAsync(Repository, huge, ".cairn.yml", Token));
        Assert.Equal(3 * 1024 * 1024, tooLarge.Size);
        Assert.Equal("name: one\n", await mirror.ReadFileAsync(Repository, small, ".cairn.yml", Token));

        // A commit fetched after the mirror's objects were first read is seen by the same reader.
        var later = _repo.Commit("later", ".cairn.yml", "name: later\n");
        Assert.False(await mirror.HasCommitAsync(Repository, later, Token));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, later, "refs/heads/main", Token);
        Assert.True(await mirror.HasCommitAsync(Repository, later, Token));
        Assert.Equal("name: later\n", await mirror.ReadFileAsync(Repository, later, ".cairn.yml", Token));
        Assert.Null(await mirror.ReadFileAsync(Repository, later, "missing.yml", Token));
        Assert.Null(await mirror.ReadFileAsync(Repository, later, "a file with spaces.yml", Token));
    }

    [Fact]
    public async Task AMirrorAskedWhileHalfMade_InsideAnotherRepository_IsAnsweredForItselfOnceMade()
    {
        // The data directory lies inside some other repository (a checkout of the server's own deployment, say).
        var outer = _repo.Scratch("outer");
        Directory.CreateDirectory(outer);
        GitRepositoryFixture.Git(outer, "init", "-q");
        var mirror = new GitMirror(Path.Combine(outer, "data", "git"));
        var sha = _repo.Commit("first", ".cairn.yml", "name: one\n");

        // Another process is creating the mirror: its HEAD is written, nothing else yet.
        var path = mirror.PathOf(Repository);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "HEAD"), "ref: refs/heads/main\n");
        Assert.False(await mirror.HasCommitAsync(Repository, sha, Token));
        GitRepositoryFixture.Git(path, "init", "-q", "--bare", ".");

        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);

        Assert.True(await mirror.HasCommitAsync(Repository, sha, Token));
        Assert.Equal("name: one\n", await mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));
    }

    [Fact]
    public async Task ConcurrentReads_OfOneMirror_EachGetTheirOwnAnswer()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { MaxFileBytes = Limit });
        var shas = Enumerable.Range(0, 12).Select(i => _repo.Commit($"c{i}", ".cairn.yml", $"name: n{i}\n")).ToList();
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, shas[^1], "refs/heads/main", Token);

        var read = await Task.WhenAll(shas.Select(sha => Task.Run(() => mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token), Token)));

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"name: n{i}\n"), read);
    }

    [Fact]
    public async Task GitOutput_IsCutAtTheCap_AndGitStopped()
    {
        var sha = _repo.Commit("huge", "big.txt", Compressible(3 * 1024 * 1024));
        var git = new GitProcess("git", _repo.Scratch("home"));
        Directory.CreateDirectory(_repo.Scratch("home"));

        var result = await git.RunAsync(_repo.WorkPath, ["cat-file", "blob", $"{sha}:big.txt"], TimeSpan.FromMinutes(1), Token, maxOutputBytes: 1000);

        Assert.True(result.OutputCut);
        Assert.False(result.Succeeded);
        Assert.Equal(1000, result.Output.Length);
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("tree")]
    public async Task Fetch_OfAMalformedObject_FailsTheCheck_AndLeavesNoRefToIt(string broken)
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"));
        var good = _repo.Commit("good", "a.txt", "fine");
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, good, "refs/heads/main", Token);
        var bad = MalformedCommit(broken);
        GitRepositoryFixture.Git(_repo.RemotePath, "update-ref", "refs/heads/evil", bad);

        var error = await Assert.ThrowsAsync<GitException>(() =>
            mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, bad, "refs/heads/evil", Token));

        Assert.Contains("failed git's integrity check (fsck)", error.Message, StringComparison.Ordinal);
        Assert.Contains(broken == "commit" ? "badDate" : "hasDotgit", error.Message, StringComparison.Ordinal);
        Assert.False(await mirror.HasCommitAsync(Repository, bad, Token));
        var refs = GitRefs(mirror.PathOf(Repository));
        Assert.DoesNotContain("refs/heads/evil", refs, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, refs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_ChecksObjects_InAMirrorMadeBeforeTheCheck()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"));
        var good = _repo.Commit("good", "a.txt", "fine");
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, good, "refs/heads/main", Token);
        var path = mirror.PathOf(Repository);
        GitRepositoryFixture.Git(path, "config", "--unset", "fetch.fsckObjects");
        GitRepositoryFixture.Git(path, "config", "--unset", "transfer.fsckObjects");
        var bad = MalformedCommit("commit");
        GitRepositoryFixture.Git(_repo.RemotePath, "update-ref", "refs/heads/evil", bad);

        var error = await Assert.ThrowsAsync<GitException>(() =>
            mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, bad, "refs/heads/evil", Token));

        Assert.Contains("failed git's integrity check (fsck)", error.Message, StringComparison.Ordinal);
        Assert.False(await mirror.HasCommitAsync(Repository, bad, Token));
    }

    [Fact]
    public async Task NewMirrors_CheckFetchedObjects_InTheirOwnConfig()
    {
        var mirror = new GitMirror(_repo.Scratch("data/git"));
        var good = _repo.Commit("good", "a.txt", "fine");

        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, good, "refs/heads/main", Token);

        Assert.Equal("true", GitRepositoryFixture.Git(mirror.PathOf(Repository), "config", "fetch.fsckObjects").Trim());
        Assert.Equal("true", GitRepositoryFixture.Git(mirror.PathOf(Repository), "config", "transfer.fsckObjects").Trim());
    }

    public void Dispose() => _repo.Dispose();

    /// <summary>Writes, into the remote, a commit git would never make: one with an author line without a date, or one
    /// whose tree holds a <c>.git</c> (which a checkout would write into the repository's own metadata).</summary>
    private string MalformedCommit(string broken)
    {
        var remote = _repo.RemotePath;
        var blob = HashObject(remote, "blob", "x\n"u8.ToArray());
        var tree = broken == "tree"
            ? HashObject(remote, "tree", [.. "100644 .git\0"u8, .. Convert.FromHexString(blob)])
            : HashObject(remote, "tree", [.. "100644 a.txt\0"u8, .. Convert.FromHexString(blob)]);
        var author = broken == "commit" ? "author Mallory <m@example.invalid> no date" : "author Mallory <m@example.invalid> 1700000000 +0000";
        var commit = $"tree {tree}\n{author}\ncommitter Mallory <m@example.invalid> 1700000000 +0000\n\nbroken\n";
        return HashObject(remote, "commit", System.Text.Encoding.UTF8.GetBytes(commit));
    }

    private static string HashObject(string repository, string type, byte[] content)
    {
        var input = Path.Combine(repository, $"object-{Guid.NewGuid():N}");
        File.WriteAllBytes(input, content);
        try
        {
            return GitRepositoryFixture.Git(repository, "hash-object", "-t", type, "--literally", "-w", input).Trim();
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string GitRefs(string mirror) => GitRepositoryFixture.Git(mirror, "for-each-ref", "--format=%(refname) %(objectname)");

    /// <summary>Text of <paramref name="bytes"/> bytes that git compresses to almost nothing.</summary>
    private static string Compressible(int bytes)
    {
        var line = "# " + new string('y', 61) + "\n";
        var text = new System.Text.StringBuilder(bytes);
        while (text.Length + line.Length <= bytes)
        {
            text.Append(line);
        }

        return text.Append('z', bytes - text.Length).ToString();
    }
}
