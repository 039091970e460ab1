using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Git.Tests;

/// <summary>Pushing an agent's branch from the mirror: only <c>cairn/</c> branches, only that one ref, and the token
/// only ever in git's environment.</summary>
public sealed class GitBranchPushTests : IDisposable
{
    private const string Repository = "acme/app";
    private const string Branch = "cairn/1-implement";
    private const string Token = "ghs_pushTokenNeverInArgv77";

    private readonly GitRepositoryFixture _repo = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task TheAgentsBranch_IsPushedAlone_ToABareRepository()
    {
        var (mirror, baseSha, tip) = await MirrorWithAgentBranchAsync();
        var target = _repo.Scratch("published.git");
        GitRepositoryFixture.Git(_repo.Root, "init", "--quiet", "--bare", "--initial-branch=main", target);
        var push = new GitBranchPush(mirror);

        Assert.Equal(tip, await push.TipAsync(Repository, Branch, Cancel));
        Assert.Null(await push.TipAsync(Repository, "cairn/9-nothing", Cancel));
        Assert.Equal(["src/widget.cs"], await push.ChangedPathsAsync(Repository, baseSha, tip, Cancel));

        await push.PushAsync(Repository, target, null, Branch, Cancel);

        var refs = GitRepositoryFixture.Git(target, "for-each-ref", "--format=%(refname) %(objectname)").Trim();
        Assert.Equal($"refs/heads/{Branch} {tip}", refs);

        // The agent's branch is its own: a rewritten one replaces what was pushed before.
        var rewritten = _repo.Commit("again", "src/widget.cs", "v2", Branch);
        await mirror.ResolveRefAsync(Repository, _repo.CloneUrl, null, Branch, Cancel);
        await push.PushAsync(Repository, target, null, Branch, Cancel);
        Assert.Equal(rewritten, GitRepositoryFixture.Git(target, "rev-parse", $"refs/heads/{Branch}").Trim());
    }

    [Theory]
    [InlineData("main")]
    [InlineData("refs/heads/main")]
    [InlineData("cairn/")]
    [InlineData("cairn/../main")]
    [InlineData("feature/cairn/1")]
    public async Task ABranchNotUnderCairn_IsNeverPushed(string branch)
    {
        var (mirror, _, _) = await MirrorWithAgentBranchAsync();
        var target = _repo.Scratch("published.git");
        GitRepositoryFixture.Git(_repo.Root, "init", "--quiet", "--bare", "--initial-branch=main", target);

        await Assert.ThrowsAsync<ArgumentException>(() => new GitBranchPush(mirror).PushAsync(Repository, target, null, branch, Cancel));

        Assert.Equal("", GitRepositoryFixture.Git(target, "for-each-ref").Trim());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheToken_ReachesGitOnlyThroughItsEnvironment_AndNoMessageShowsIt()
    {
        var (_, _, _) = await MirrorWithAgentBranchAsync();
        var record = _repo.Scratch("git-calls.txt");
        var recordingGit = _repo.Scratch("recording-git");
        var realGit = GitRepositoryFixture.Git(_repo.Root, "--exec-path").Trim() + "/git";
        File.WriteAllText(recordingGit, $"""
            #!/bin/sh
            printf 'argv:' >> {record}
            for a in "$@"; do printf ' [%s]' "$a" >> {record}; done
            printf '\n' >> {record}
            env | grep '^GIT_CONFIG_' >> {record}
            exec {realGit} "$@"
            """);
        File.SetUnixFileMode(recordingGit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { GitPath = recordingGit, FetchTimeout = TimeSpan.FromSeconds(30) });
        var port = ClosedPort();

        var error = await Assert.ThrowsAsync<GitException>(() =>
            new GitBranchPush(mirror).PushAsync(Repository, $"http://127.0.0.1:{port}/acme/app.git", Token, Branch, Cancel));

        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"could not push {Branch} to http://127.0.0.1:{port}/acme/app.git", error.Message, StringComparison.Ordinal);
        var calls = File.ReadAllText(record);
        var push = calls.Split('\n').Single(l => l.StartsWith("argv:", StringComparison.Ordinal) && l.Contains("[push]", StringComparison.Ordinal));
        Assert.DoesNotContain(Token, push, StringComparison.Ordinal);
        Assert.Contains($"[+refs/heads/{Branch}:refs/heads/{Branch}]", push, StringComparison.Ordinal);
        Assert.Contains($"[http://127.0.0.1:{port}/acme/app.git]", push, StringComparison.Ordinal);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"x-access-token:{Token}"));
        Assert.Contains($"GIT_CONFIG_KEY_0=http.http://127.0.0.1:{port}/.extraHeader", calls, StringComparison.Ordinal);
        Assert.Contains($"GIT_CONFIG_VALUE_0=Authorization: Basic {basic}", calls, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, calls, StringComparison.Ordinal);
    }

    private async Task<(GitMirror Mirror, string BaseSha, string Tip)> MirrorWithAgentBranchAsync()
    {
        var baseSha = _repo.Commit("start", "README.md", "hello");
        var tip = _repo.Commit("the agent's work", "src/widget.cs", "class Widget {}", Branch);
        var mirror = new GitMirror(_repo.Scratch("data/git"));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, baseSha, "main", Cancel);
        await mirror.ResolveRefAsync(Repository, _repo.CloneUrl, null, Branch, Cancel);
        return (mirror, baseSha, tip);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
