using Cairn.Executors.Git;

namespace Cairn.Executors.Tests.Git;

/// <summary>What a mirror refuses to take in from a repository: files too large to read.</summary>
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
        // A git whose size answers lie (as a race would): it says 10 bytes, then prints the whole 3 MiB.
        var lyingGit = _repo.Scratch("lying-git");
        File.WriteAllText(lyingGit, """
            #!/bin/sh
            for a in "$@"; do
              if [ "$a" = "--batch-check" ]; then
                git "$@" | sed 's/ [0-9]*$/ 10/'
                exit 0
              fi
            done
            exec git "$@"
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(lyingGit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mirror = new GitMirror(_repo.Scratch("data/git"), new GitMirrorOptions { GitPath = lyingGit, MaxFileBytes = Limit });
        var sha = _repo.Commit("huge", ".cairn.yml", Compressible(3 * 1024 * 1024));
        await mirror.EnsureCommitAsync(Repository, _repo.CloneUrl, null, sha, "refs/heads/main", Token);

        var error = await Assert.ThrowsAsync<GitFileTooLargeException>(() => mirror.ReadFileAsync(Repository, sha, ".cairn.yml", Token));

        Assert.Null(error.Size);
        Assert.Equal(Limit, error.Limit);
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

    public void Dispose() => _repo.Dispose();

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
