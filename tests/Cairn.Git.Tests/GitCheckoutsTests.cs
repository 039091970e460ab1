namespace Cairn.Git.Tests;

public sealed class GitCheckoutsTests : IDisposable
{
    private const string Repository = "acme/shop";

    private readonly GitRepositoryFixture _repo = new();
    private readonly GitMirror _mirror;
    private readonly GitCheckouts _checkouts;

    public GitCheckoutsTests()
    {
        _mirror = new GitMirror(_repo.Scratch("data/git"));
        _checkouts = new GitCheckouts(_mirror);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CheckOut_MakesARepositoryOfItsOwn_HoldingOnlyTheCommit_ThatOutlivesTheMirror()
    {
        _repo.Commit("first", "a.txt", "one");
        var sha = _repo.Commit("second", "a.txt", "two");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);
        var directory = _repo.Scratch("checkout");

        await _checkouts.CheckOutAsync(Repository, sha, directory, Token);

        Assert.Equal("two", File.ReadAllText(Path.Combine(directory, "a.txt")));
        Assert.True(Directory.Exists(Path.Combine(directory, ".git")), "a worktree has a .git file; a repository of its own a .git directory");
        Assert.False(File.Exists(Path.Combine(directory, ".git", "objects", "info", "alternates")));
        Assert.Equal("true", GitRepositoryFixture.Git(directory, "rev-parse", "--is-shallow-repository").Trim());
        Assert.DoesNotContain(directory, GitRepositoryFixture.Git(_mirror.PathOf(Repository), "worktree", "list", "--porcelain"));

        Directory.Delete(_mirror.PathOf(Repository), recursive: true);
        Assert.Equal(sha, GitRepositoryFixture.Git(directory, "rev-parse", "HEAD").Trim());
        Assert.Equal("", GitRepositoryFixture.Git(directory, "status", "--porcelain"));
    }

    [Fact]
    public async Task CheckOut_NamesEachGitProcessItStarts_AsItStarts()
    {
        // A server lowers the priority of a job's processes, its checkout's git among them, through this hook.
        var sha = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);
        var started = new List<int>();
        var checkouts = new GitCheckouts(new GitMirror(_mirror.Root, new GitMirrorOptions
        {
            CheckoutStarted = pid =>
            {
                lock (started)
                {
                    started.Add(pid);
                }
            },
        }));

        await checkouts.CheckOutAsync(Repository, sha, _repo.Scratch("named"), Token);

        // init, pack-objects and checkout: each its own process, each named once.
        Assert.Equal(3, started.Count);
        Assert.Equal(3, started.Distinct().Count());
        Assert.All(started, pid => Assert.True(pid > 0));
    }

    [Fact]
    public async Task CheckOut_OntoAnotherFileSystemThanTheMirrors_Works()
    {
        // A server's workspaces are often a volume of their own, apart from its data directory and the mirrors in it.
        const string Elsewhere = "/dev/shm";
        Assert.SkipUnless(Directory.Exists(Elsewhere), $"needs {Elsewhere}, a file system of its own");
        var mirrors = _repo.Scratch("data");
        Assert.SkipWhen(DeviceOf(Elsewhere) == DeviceOf(mirrors), $"{Elsewhere} is on the same file system as {mirrors} here");
        var sha = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);
        var directory = Path.Combine(Elsewhere, "cairn-checkout-" + Guid.NewGuid().ToString("N"));
        try
        {
            await _checkouts.CheckOutAsync(Repository, sha, directory, Token);

            Assert.Equal("one", File.ReadAllText(Path.Combine(directory, "a.txt")));
            Assert.Equal(sha, GitRepositoryFixture.Git(directory, "rev-parse", "HEAD").Trim());
            Assert.False(File.Exists(Path.Combine(directory, ".git", "objects", "info", "alternates")));
            GitRepositoryFixture.Git(directory, "fsck", "--strict", "--no-dangling");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string DeviceOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%d", path]) { RedirectStandardOutput = true })!;
        var device = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return device;
    }

    [Fact]
    public async Task CheckOut_HoldsTheCommitsTreeAndNoHistory_AndIsAUsableRepository()
    {
        var parent = _repo.Commit("first", new Dictionary<string, string?> { ["a.txt"] = "one", ["src/b.c"] = "int b;", ["src/deep/c.h"] = "#pragma once" });
        var sha = _repo.Commit("second", new Dictionary<string, string?> { ["a.txt"] = "two", ["docs/d.md"] = "# d" });
        var later = _repo.Commit("third", "a.txt", "three");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, later, "refs/heads/main", Token);
        var directory = _repo.Scratch("checkout");

        await _checkouts.CheckOutAsync(Repository, sha, directory, Token);

        Assert.Equal(
            GitRepositoryFixture.Git(_mirror.PathOf(Repository), "ls-tree", "-r", "--full-tree", sha),
            GitRepositoryFixture.Git(directory, "ls-tree", "-r", "--full-tree", "HEAD"));
        Assert.Equal(sha, GitRepositoryFixture.Git(directory, "log", "--format=%H").Trim());
        Assert.Equal(sha + "\n", File.ReadAllText(Path.Combine(directory, ".git", "shallow")));
        Assert.Equal("", GitRepositoryFixture.Git(directory, "status", "--porcelain"));
        Assert.Throws<InvalidOperationException>(() => GitRepositoryFixture.Git(directory, "cat-file", "-e", parent));
        Assert.Throws<InvalidOperationException>(() => GitRepositoryFixture.Git(directory, "cat-file", "-e", later));
        GitRepositoryFixture.Git(directory, "fsck", "--strict", "--no-dangling");

        // A step can work in it as in any clone: change, commit, see its own history on top of the commit.
        File.WriteAllText(Path.Combine(directory, "a.txt"), "changed by a step");
        GitRepositoryFixture.Git(directory, "commit", "-qam", "step");
        Assert.Equal(sha, GitRepositoryFixture.Git(directory, "rev-parse", "HEAD~1").Trim());
    }

    [Fact]
    public async Task CheckOut_OfACommitNeverFetched_SaysSo()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        var unknown = new string('b', 40);

        var withoutMirror = await Assert.ThrowsAsync<GitException>(() =>
            _checkouts.CheckOutAsync(Repository, sha, _repo.Scratch("early"), Token));
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token);
        var withMirror = await Assert.ThrowsAsync<GitException>(() =>
            _checkouts.CheckOutAsync(Repository, unknown, _repo.Scratch("late"), Token));

        Assert.Equal($"commit {sha[..7]} of acme/shop has not been fetched", withoutMirror.Message);
        Assert.Equal("commit bbbbbbb of acme/shop has not been fetched", withMirror.Message);
        Assert.False(Directory.Exists(_repo.Scratch("late")));
    }

    [Fact]
    public async Task AddWorktree_ThenRemove_LeavesTheMirrorWithoutIt()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token);
        var directory = _repo.Scratch("worktree");

        await _checkouts.AddWorktreeAsync(Repository, sha, directory, Token);
        Assert.Equal("one", File.ReadAllText(Path.Combine(directory, "a.txt")));
        Assert.Contains(directory, GitRepositoryFixture.Git(_mirror.PathOf(Repository), "worktree", "list", "--porcelain"));

        await _checkouts.RemoveWorktreeAsync(Repository, directory, Token);
        Assert.False(Directory.Exists(directory));
        Assert.DoesNotContain(directory, GitRepositoryFixture.Git(_mirror.PathOf(Repository), "worktree", "list", "--porcelain"));
    }

    [Fact]
    public async Task WorktreeChanges_WaitForTheLockAFetchTakes()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token);
        var impatient = new GitCheckouts(new GitMirror(_mirror.Root, new GitMirrorOptions { LockTimeout = TimeSpan.FromMilliseconds(300) }));
        var directory = _repo.Scratch("worktree");

        using (await _mirror.Mirrors.LockAsync(Repository, Token))
        {
            var adding = await Assert.ThrowsAsync<GitException>(() => impatient.AddWorktreeAsync(Repository, sha, directory, Token));
            Assert.Contains("for the mirror of acme/shop to be free", adding.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(directory));
        }

        await impatient.AddWorktreeAsync(Repository, sha, directory, Token);
        using (await _mirror.Mirrors.LockAsync(Repository, Token))
        {
            var removing = await Assert.ThrowsAsync<GitException>(() => impatient.RemoveWorktreeAsync(Repository, directory, Token));
            Assert.Contains("for the mirror of acme/shop to be free", removing.Message, StringComparison.Ordinal);
            Assert.True(Directory.Exists(directory));
        }
    }

    [Fact]
    public void BatchCheckOutput_IsReadAsOneHeaderPerObject_MissingOnesWithoutAType()
    {
        var headers = GitObjectHeader.ReadBatchCheck("0123abcd blob 12\nfeed:src/none missing\n4567 tree 0\n");

        Assert.Equal(
            [new GitObjectHeader("0123abcd", "blob", 12), new GitObjectHeader(null, null, 0), new GitObjectHeader("4567", "tree", 0)],
            headers);
    }

    [Theory]
    [InlineData("./src/app.c", "src/app.c")]
    [InlineData("/.cairn.yml", ".cairn.yml")]
    [InlineData("ci\\build.yml", "ci/build.yml")]
    public void FilePath_IsWhatGitNamesInCommitColonPath(string path, string expected) =>
        Assert.Equal(expected, GitNames.FilePath(path));

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../b")]
    [InlineData("./")]
    [InlineData("a\nb")]
    public void FilePath_OutsideTheRepository_IsRefused(string path) =>
        Assert.Throws<ArgumentException>(() => GitNames.FilePath(path));

    public void Dispose() => _repo.Dispose();
}
