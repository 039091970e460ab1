using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Git.Tests;

public sealed class GitMirrorTests : IDisposable
{
    private const string Repository = "acme/shop";

    private readonly GitRepositoryFixture _repo = new();
    private readonly GitMirror _mirror;

    public GitMirrorTests()
    {
        _mirror = new GitMirror(_repo.Scratch("data/git"));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnsureCommit_CreatesTheMirrorOnce_AndDoesNotFetchWhatItHolds()
    {
        var sha = _repo.Commit("first", ".cairn.yml", "jobs: {}\n");

        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);
        var mirrorPath = _mirror.PathOf(Repository);
        Assert.True(File.Exists(Path.Combine(mirrorPath, "HEAD")));
        Assert.StartsWith(_mirror.Root + Path.DirectorySeparatorChar, mirrorPath, StringComparison.Ordinal);

        // The commit is there: no fetch happens, so a URL that leads nowhere does not matter.
        await _mirror.EnsureCommitAsync(Repository, "file:///nowhere/at/all.git", null, sha, "refs/heads/main", Token);

        Assert.Single(Directory.GetDirectories(_mirror.Root), d => d.EndsWith(".git", StringComparison.Ordinal));
        Assert.True(await _mirror.HasCommitAsync(Repository, sha, Token));
    }

    [Fact]
    public async Task EnsureCommit_FetchesANewCommit_IntoTheExistingMirror()
    {
        var first = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, first, "refs/heads/main", Token);
        var second = _repo.Commit("second", "a.txt", "two");
        Assert.False(await _mirror.HasCommitAsync(Repository, second, Token));

        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, second, null, Token);

        Assert.Equal("two", await _mirror.ReadFileAsync(Repository, second, "a.txt", Token));
        Assert.Equal("one", await _mirror.ReadFileAsync(Repository, first, "a.txt", Token));
    }

    [Fact]
    public async Task EnsureCommit_FetchesACommitTheRefHasMovedPast()
    {
        var older = _repo.Commit("older", "a.txt", "one");
        _repo.Commit("newer", "a.txt", "two");

        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, older, "refs/heads/main", Token);

        Assert.Equal("one", await _mirror.ReadFileAsync(Repository, older, "a.txt", Token));
    }

    [Fact]
    public async Task EnsureCommit_OfAnotherBranch_ComesWithItsRef()
    {
        _repo.Commit("main", "a.txt", "main");
        var feature = _repo.Commit("feature", "b.txt", "feature", branch: "feature/x");

        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, feature, "refs/heads/feature/x", Token);

        Assert.Equal("feature", await _mirror.ReadFileAsync(Repository, feature, "b.txt", Token));
    }

    [Fact]
    public async Task EnsureCommit_OfAnUnknownSha_SaysWhatCouldNotBeFetched_InGitsWords()
    {
        _repo.Commit("first", "a.txt", "one");
        var unknown = new string('3', 40);

        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, unknown, "refs/heads/main", Token));

        Assert.StartsWith($"could not fetch 3333333 from {_repo.CloneUrl}: ", error.Message);
        Assert.Contains("not our ref", error.Message);
        Assert.DoesNotContain("fatal:", error.Message);
    }

    [Fact]
    public async Task EnsureCommit_FromARepositoryThatIsNotThere_SaysSo()
    {
        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, "file:///nowhere/at/all.git", null, new string('a', 40), null, Token));

        Assert.StartsWith("could not fetch aaaaaaa from file:///nowhere/at/all.git: ", error.Message);
        Assert.Contains("does not appear to be a git repository", error.Message);
    }

    [Theory]
    [InlineData("--upload-pack=touch /tmp/pwned", "is not a clone URL")]
    [InlineData("ext::sh -c touch% /tmp/pwned", "is not a clone URL")]
    [InlineData("ftp://example.com/x.git", "is not a clone URL")]
    public async Task EnsureCommit_RefusesACloneUrlGitShouldNotBeHanded(string url, string expected)
    {
        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, url, null, new string('a', 40), null, Token));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("HEAD~1", null, "is not a full commit SHA")]
    [InlineData("--all", null, "is not a full commit SHA")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "refs/heads/../../x", "is not a valid git ref")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "main:refs/heads/evil", "is not a valid git ref")]
    public async Task EnsureCommit_RefusesShasAndRefsThatAreNotPlainNames(string sha, string? gitRef, string expected)
    {
        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, gitRef, Token));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task ConcurrentEnsureCommits_OnOneRepository_AllSucceed()
    {
        var shas = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            shas.Add(_repo.Commit($"commit {i}", $"f{i}.txt", $"{i}", branch: $"branch-{i}"));
        }

        // Two mirrors over one root, as two processes sharing a data directory would be.
        var other = new GitMirror(_mirror.Root);
        await Task.WhenAll(shas.SelectMany((sha, i) => new[]
        {
            Task.Run(() => _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, $"refs/heads/branch-{i}", Token), Token),
            Task.Run(() => other.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token), Token),
        }));

        for (var i = 0; i < shas.Count; i++)
        {
            Assert.Equal($"{i}", await _mirror.ReadFileAsync(Repository, shas[i], $"f{i}.txt", Token));
        }
    }

    [Fact]
    public async Task ReadFile_IsNullForAPathThatIsNotAFile()
    {
        var sha = _repo.Commit("first", new Dictionary<string, string?> { [".cairn.yml"] = "name: ci\n", ["src/app.c"] = "int main;" });
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token);

        Assert.Equal("name: ci\n", await _mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));
        Assert.Equal("int main;", await _mirror.ReadFileAsync(Repository, sha, "./src/app.c", Token));
        Assert.Null(await _mirror.ReadFileAsync(Repository, sha, "missing.yml", Token));
        Assert.Null(await _mirror.ReadFileAsync(Repository, sha, "src", Token));
    }

    [Fact]
    public async Task ReadFile_OfACommitNeverFetched_SaysSo()
    {
        var sha = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, null, Token);

        var error = await Assert.ThrowsAsync<GitException>(() => _mirror.ReadFileAsync(Repository, new string('b', 40), "a.txt", Token));

        Assert.Equal("commit bbbbbbb of acme/shop has not been fetched", error.Message);
    }

    [Fact]
    public async Task ChangedPaths_ListsWhatDiffers_WithRenamesAsBothPaths()
    {
        var before = _repo.Commit("first", new Dictionary<string, string?> { ["src/a.c"] = "a", ["docs/x.md"] = "x", ["old.txt"] = "keep" });
        _repo.Commit("edit", "src/a.c", "b");
        GitRepositoryFixture.Git(_repo.WorkPath, "mv", "old.txt", "new.txt");
        var after = _repo.Commit("rename", new Dictionary<string, string?>());
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, after, null, Token);

        var changed = await _mirror.ChangedPathsAsync(Repository, before, after, Token);

        Assert.Equal(["new.txt", "old.txt", "src/a.c"], changed!.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("cccccccccccccccccccccccccccccccccccccccc")]
    [InlineData("not-a-sha")]
    public async Task ChangedPaths_FromACommitNotHere_IsUnknown(string before)
    {
        var after = _repo.Commit("first", "a.txt", "one");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, after, null, Token);

        Assert.Null(await _mirror.ChangedPathsAsync(Repository, before, after, Token));
    }

    [Fact]
    public async Task PullRequestChangedPaths_IgnoreWhatTheBaseBranchGainedSince()
    {
        var fork = _repo.Commit("base", "a.txt", "one");
        var head = _repo.Commit("feature", "feature.txt", "f", branch: "feature");
        GitRepositoryFixture.Git(_repo.WorkPath, "checkout", "--quiet", "-B", "main", fork);
        var baseSha = _repo.Commit("main moves on", "main.txt", "m");
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, head, "refs/heads/feature", Token);
        await _mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, baseSha, "refs/heads/main", Token);

        Assert.Equal(["feature.txt"], await _mirror.PullRequestChangedPathsAsync(Repository, baseSha, head, Token));
        Assert.Equal(["feature.txt", "main.txt"], (await _mirror.ChangedPathsAsync(Repository, baseSha, head, Token))!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ResolveRef_GivesTheCommitABranchPointsAt()
    {
        _repo.Commit("first", "a.txt", "one");
        var tip = _repo.Commit("second", "a.txt", "two");

        Assert.Equal(tip, await _mirror.ResolveRefAsync(Repository, _repo.CloneUrl, null, "main", Token));
        Assert.Equal(tip, await _mirror.ResolveRefAsync(Repository, _repo.CloneUrl, null, "refs/heads/main", Token));
    }

    [Fact]
    public async Task ResolveRef_OfABranchThatIsNotThere_SaysSo()
    {
        _repo.Commit("first", "a.txt", "one");

        var error = await Assert.ThrowsAsync<GitException>(() => _mirror.ResolveRefAsync(Repository, _repo.CloneUrl, null, "nope", Token));

        Assert.StartsWith($"could not fetch refs/heads/nope from {_repo.CloneUrl}: ", error.Message);
        Assert.Contains("couldn't find remote ref refs/heads/nope", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_NeverAppearsInAnError_WhenTheServerIsNotThere(bool asToken)
    {
        const string Secret = "ghs_SuperSecretToken123";
        var port = ClosedPort();
        var url = $"http://oauth2:{Secret}@127.0.0.1:{port}/acme/shop.git";

        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, url, asToken ? Secret : null, new string('a', 40), "refs/heads/main", Token));

        Assert.StartsWith($"could not fetch aaaaaaa from http://oauth2@127.0.0.1:{port}/acme/shop.git: ", error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"oauth2:{Secret}")), error.ToString());
    }

    [Fact]
    public async Task Token_ReachesTheServerAsAnHttpHeader_AndNotTheMessage()
    {
        const string Secret = "ghs_AnotherSecret456";
        using var server = new RecordingHttpServer();

        var error = await Assert.ThrowsAsync<GitException>(() =>
            _mirror.EnsureCommitAsync(Repository, server.Url + "acme/shop.git", Secret, new string('a', 40), null, Token));

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"x-access-token:{Secret}"));
        Assert.Contains($"Authorization: Basic {basic}", server.Requests[0]);
        Assert.StartsWith($"could not fetch aaaaaaa from {server.Url}acme/shop.git: ", error.Message);
        Assert.Contains("not found", error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        Assert.DoesNotContain(basic, error.ToString());
        Assert.DoesNotContain(Secret, string.Join('\n', Directory.EnumerateFiles(_mirror.Root, "*", SearchOption.AllDirectories).Select(File.ReadAllText)));
    }

    [Fact]
    public void Redaction_RemovesTheTokenAndEveryFormOfTheHeader()
    {
        var remote = GitRemote.Create("https://gitlab.example/acme/shop.git", "glpat-xyz987", "x-access-token");
        var header = remote.Environment["GIT_CONFIG_VALUE_0"];
        var result = new GitResult(128, [], $"fatal: bad token glpat-xyz987\nremote: sent {header}\n");

        var error = GitFailures.From("could not fetch", result, remote.Secrets);

        Assert.Equal("could not fetch: bad token ***; sent Authorization: Basic ***", error.Message);
        Assert.Equal("http.https://gitlab.example/.extraHeader", remote.Environment["GIT_CONFIG_KEY_0"]);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("...")]
    [InlineData("../..")]
    [InlineData("./..")]
    [InlineData("..\\..\\..")]
    [InlineData("a/b/../../../../etc/passwd")]
    [InlineData("/abs/path")]
    [InlineData("~/x")]
    [InlineData("a\u0000/b\n..")]
    [InlineData("group/sub/repo")]
    public void MirrorPath_StaysOneDirectoryUnderTheRoot(string repository)
    {
        foreach (var mirror in new[] { _mirror, new GitMirror(_repo.Scratch("data/git") + "/") })
        {
            var path = mirror.PathOf(repository);

            Assert.Equal(_mirror.Root, Path.GetDirectoryName(path));
            Assert.EndsWith(".git", path, StringComparison.Ordinal);
            Assert.DoesNotContain("..", Path.GetFileName(path), StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetFileName(path), c => char.IsControl(c) || c is '/' or '\\');
        }
    }

    [Fact]
    public void MirrorPath_OfAVeryLongName_IsStillOneShortDirectory()
    {
        var path = _mirror.PathOf("a/" + new string('.', 5000) + new string('b', 5000));

        Assert.Equal(_mirror.Root, Path.GetDirectoryName(path));
        Assert.True(Path.GetFileName(path).Length < 100);
    }

    [Fact]
    public void MirrorPath_IgnoresCase_ButNeverMergesTwoNames()
    {
        Assert.Equal(_mirror.PathOf("Acme/Shop"), _mirror.PathOf("acme/shop"));
        Assert.NotEqual(_mirror.PathOf("acme/shop"), _mirror.PathOf("acme_shop"));
    }

    [Fact]
    public async Task MirrorLock_IsHeldAgainstAnotherProcess_UntilItLetsGo()
    {
        var lockFile = _repo.Scratch("mirror.lock");
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", ["-o", lockFile, "-c", "echo held; exec cat"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", await holder.StandardOutput.ReadLineAsync(Token));

        Assert.Null(MirrorLock.TryLock(lockFile));

        holder.StandardInput.Close();
        await holder.WaitForExitAsync(Token);
        using var mine = MirrorLock.TryLock(lockFile);
        Assert.NotNull(mine);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AGitThatHangs_IsStoppedAtTheTimeLimit_WithWhatItStarted()
    {
        var pidFile = _repo.Scratch("git.pid");
        var fakeGit = _repo.Scratch("fake-git");
        File.WriteAllText(fakeGit, $"#!/bin/sh\nsleep 60 &\necho $! > {pidFile}\nwait\n");
        File.SetUnixFileMode(fakeGit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mirror = new GitMirror(_repo.Scratch("hung"), new GitMirrorOptions { GitPath = fakeGit, LocalTimeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<GitException>(() =>
            mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, new string('a', 40), null, Token));

        Assert.Equal("git init took longer than 1s and was stopped", error.Message);
        await Processes.WaitForFileAsync(pidFile, Token);
        Assert.True(await Processes.IsGoneSoonAsync(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture), Token));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => _repo.Dispose();

    /// <summary>An http server on loopback that answers 404 to everything and keeps each request's head.</summary>
    private sealed class RecordingHttpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _requests = [];

        public RecordingHttpServer()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _ = ServeAsync();
        }

        public string Url { get; }

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    await using var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    lock (_requests)
                    {
                        _requests.Add(head.ToString());
                    }

                    await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (IOException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
