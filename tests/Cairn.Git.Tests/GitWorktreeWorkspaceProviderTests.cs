using Cairn.Core.Runs;

namespace Cairn.Git.Tests;

public sealed class GitWorktreeWorkspaceProviderTests : IDisposable
{
    private const string Repository = "acme/shop";

    private readonly GitRepositoryFixture _repo = new();
    private readonly GitMirror _mirror;
    private readonly string _workspaces;

    public GitWorktreeWorkspaceProviderTests()
    {
        _mirror = new GitMirror(_repo.Scratch("data/git"));
        _workspaces = _repo.Scratch("workspaces");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private GitWorktreeWorkspaceProvider Provider(IRepositoryLocator? locator = null) =>
        new(_mirror, _workspaces, locator ?? new Locator(new() { [Repository] = new RepositoryRemote(_repo.CloneUrl, null) }));

    private static RunRecord Run(string? repository, string? sha, string? gitRef = "refs/heads/main") =>
        new(7, "ci", "push", gitRef, sha, repository, RunStatus.Running, DateTimeOffset.UnixEpoch, null, null);

    private static JobRecord Job(long id, int attempt = 1) =>
        new(id, 7, $"job{id}", $"job{id}", [], [], JobStatus.Running, attempt, null, null, null, null, null, "{}");

    [Fact]
    public async Task EachJob_GetsItsOwnWorktree_AtTheRunsCommit_WithItsFiles()
    {
        var built = _repo.Commit("first", new Dictionary<string, string?> { ["build.sh"] = "make\n", ["src/a.c"] = "int a;" });
        _repo.Commit("later", "build.sh", "changed\n");
        var provider = Provider();

        var first = await provider.PrepareAsync(Job(1), Run(Repository, built), Token);
        var second = await provider.PrepareAsync(Job(2), Run(Repository, built), Token);

        Assert.NotEqual(first, second);
        foreach (var workspace in new[] { first, second })
        {
            Assert.StartsWith(Path.GetFullPath(_workspaces), workspace, StringComparison.Ordinal);
            Assert.Equal("make\n", File.ReadAllText(Path.Combine(workspace, "build.sh")));
            Assert.Equal("int a;", File.ReadAllText(Path.Combine(workspace, "src", "a.c")));
            Assert.Equal(built, GitRepositoryFixture.Git(workspace, "rev-parse", "HEAD").Trim());
        }
    }

    [Fact]
    public async Task AnotherAttempt_OfTheSameJob_GetsAnotherDirectory()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        var provider = Provider();

        var first = await provider.PrepareAsync(Job(1, attempt: 1), Run(Repository, sha), Token);
        var again = await provider.PrepareAsync(Job(1, attempt: 1), Run(Repository, sha), Token);

        Assert.NotEqual(first, again);
    }

    [Fact]
    public async Task Release_RemovesTheWorktree_AndTheMirrorForgetsIt()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        var provider = Provider();
        var workspace = await provider.PrepareAsync(Job(1), Run(Repository, sha), Token);
        File.WriteAllText(Path.Combine(workspace, "build-output.o"), "left behind by the job");
        File.WriteAllText(Path.Combine(workspace, "a.txt"), "changed by the job");

        await provider.ReleaseAsync(Job(1), workspace, Token);

        Assert.False(Directory.Exists(workspace));
        Assert.DoesNotContain(workspace, GitRepositoryFixture.Git(_mirror.PathOf(Repository), "worktree", "list", "--porcelain"));
    }

    [Fact]
    public async Task Release_OfAWorktreeWhoseDirectoryIsAlreadyGone_IsFine()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        var provider = Provider();
        var workspace = await provider.PrepareAsync(Job(1), Run(Repository, sha), Token);
        Directory.Delete(workspace, recursive: true);

        await provider.ReleaseAsync(Job(1), workspace, Token);

        Assert.DoesNotContain(workspace, GitRepositoryFixture.Git(_mirror.PathOf(Repository), "worktree", "list", "--porcelain"));
    }

    [Fact]
    public async Task ConcurrentJobs_OnOneMirror_AllGetTheirWorktrees()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        var provider = Provider();

        var workspaces = await Task.WhenAll(Enumerable.Range(1, 6).Select(i =>
            Task.Run(() => provider.PrepareAsync(Job(i), Run(Repository, sha), Token), Token)));
        Assert.All(workspaces, w => Assert.Equal("one", File.ReadAllText(Path.Combine(w, "a.txt"))));

        await Task.WhenAll(workspaces.Select((w, i) => Task.Run(() => provider.ReleaseAsync(Job(i + 1), w, Token), Token)));
        Assert.All(workspaces, w => Assert.False(Directory.Exists(w)));
    }

    [Fact]
    public async Task ARunWithOnlyABranch_IsCheckedOutAtTheBranchTip()
    {
        var tip = _repo.Commit("first", "a.txt", "tip");
        var provider = Provider();

        var workspace = await provider.PrepareAsync(Job(1), Run(Repository, sha: null, gitRef: "refs/heads/main"), Token);

        Assert.Equal(tip, GitRepositoryFixture.Git(workspace, "rev-parse", "HEAD").Trim());
    }

    [Fact]
    public async Task ARunWithoutARepository_GetsAnEmptyScratchDirectory()
    {
        var provider = Provider();

        var workspace = await provider.PrepareAsync(Job(1), Run(null, null, null), Token);

        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace));
        await provider.ReleaseAsync(Job(1), workspace, Token);
        Assert.False(Directory.Exists(workspace));
    }

    [Fact]
    public async Task ARepositoryNobodyKnows_FailsWithAClearError()
    {
        var provider = Provider(new Locator([]));

        var error = await Assert.ThrowsAsync<GitException>(() => provider.PrepareAsync(Job(1), Run("acme/other", new string('a', 40)), Token));

        Assert.Equal("repository acme/other is not known here, so its commits cannot be fetched", error.Message);
    }

    [Fact]
    public async Task WithoutALocator_ACommitNotYetFetched_FailsWithAClearError()
    {
        var provider = new GitWorktreeWorkspaceProvider(_mirror, _workspaces);

        var error = await Assert.ThrowsAsync<GitException>(() => provider.PrepareAsync(Job(1), Run(Repository, new string('a', 40)), Token));

        Assert.Equal("commit aaaaaaa of acme/shop has not been fetched", error.Message);
    }

    [Fact]
    public async Task Standalone_ACommitTheMirrorHasNotFetched_IsFetchedAndCheckedOut()
    {
        var older = _repo.Commit("first", "a.txt", "one");
        var newer = _repo.Commit("second", "a.txt", "two");
        var provider = new GitWorktreeWorkspaceProvider(_mirror, _workspaces, new Locator(new() { [Repository] = new RepositoryRemote(_repo.CloneUrl, null) }))
        {
            Standalone = true,
        };

        // No mirror at all yet (the run was planned by another replica), then a mirror that lacks the commit.
        var first = await provider.PrepareAsync(Job(1), Run(Repository, older, gitRef: null), Token);
        Assert.False(await _mirror.HasCommitAsync(Repository, newer, Token));
        var second = await provider.PrepareAsync(Job(2), Run(Repository, newer, gitRef: null), Token);

        Assert.Equal("one", File.ReadAllText(Path.Combine(first, "a.txt")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(second, "a.txt")));
        Assert.Equal(newer, GitRepositoryFixture.Git(second, "rev-parse", "HEAD").Trim());
        Assert.Equal(2, Directory.GetDirectories(_workspaces).Length);
    }

    [Fact]
    public async Task Standalone_ACommitNobodyHas_FailsWithGitsReason_AndLeavesNoDirectory()
    {
        _repo.Commit("first", "a.txt", "one");
        var provider = new GitWorktreeWorkspaceProvider(_mirror, _workspaces, new Locator(new() { [Repository] = new RepositoryRemote(_repo.CloneUrl, null) }))
        {
            Standalone = true,
        };

        var error = await Assert.ThrowsAsync<GitException>(() => provider.PrepareAsync(Job(1), Run(Repository, new string('c', 40)), Token));

        Assert.Contains("could not fetch ccccccc", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_workspaces) ? Directory.GetFileSystemEntries(_workspaces) : []);
    }

    public void Dispose() => _repo.Dispose();

    private sealed class Locator(Dictionary<string, RepositoryRemote> remotes) : IRepositoryLocator
    {
        public Task<RepositoryRemote?> LocateAsync(string repository, CancellationToken cancellationToken) =>
            Task.FromResult(remotes.GetValueOrDefault(repository));
    }
}
