using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Artifacts;

namespace Cairn.Core.Tests.Artifacts;

public sealed class FileHashesTests
{
    private static Task<string> Hash(TempDirectory folder, params string[] patterns) =>
        FileHashes.ComputeAsync(folder.Path, patterns, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Hash_IsTheSha256OfEachMatchingFilesDigest_InOrdinalPathOrder()
    {
        using var folder = new TempDirectory();
        folder.WriteFile("b/packages.lock.json", "two");
        folder.WriteFile("a/packages.lock.json", "one");
        folder.WriteFile("a/other.json", "not matched");

        var hash = await Hash(folder, "**/packages.lock.json");

        var expected = Convert.ToHexStringLower(SHA256.HashData(
            [.. SHA256.HashData(Encoding.UTF8.GetBytes("one")), .. SHA256.HashData(Encoding.UTF8.GetBytes("two"))]));
        Assert.Equal(expected, hash);
        Assert.Equal(expected, FileHashes.Combine([SHA256.HashData("one"u8), SHA256.HashData("two"u8)]));
    }

    [Fact]
    public async Task TwoFolders_WithTheSameFiles_WrittenInAnotherOrder_HashTheSame()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        string[] names = ["z.lock", "a.lock", "m/n.lock", "m/a.lock", "B.lock"];
        foreach (var name in names)
        {
            first.WriteFile(name, $"content of {name}");
        }

        foreach (var name in names.Reverse())
        {
            second.WriteFile(name, $"content of {name}");
        }

        File.SetLastWriteTimeUtc(second.Combine("z.lock"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var hash = await Hash(first, "**/*.lock");

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, await Hash(second, "**/*.lock"));
    }

    [Fact]
    public async Task ChangingAMatchedFile_ChangesTheHash_AndAnUnmatchedOneDoesNot()
    {
        using var folder = new TempDirectory();
        folder.WriteFile("deps.lock", "v1");
        folder.WriteFile("readme.md", "hello");
        var before = await Hash(folder, "*.lock");

        folder.WriteFile("readme.md", "changed");
        Assert.Equal(before, await Hash(folder, "*.lock"));

        folder.WriteFile("deps.lock", "v2");
        Assert.NotEqual(before, await Hash(folder, "*.lock"));
    }

    [Fact]
    public async Task NothingMatched_IsEmpty()
    {
        using var folder = new TempDirectory();
        folder.WriteFile("a.txt", "x");

        Assert.Equal("", await Hash(folder, "**/*.lock"));
        Assert.Equal("", FileHashes.Combine([]));
    }

    [Fact]
    public async Task SymbolicLinks_AreNotFollowed_NeitherToFilesNorIntoFolders()
    {
        using var outside = new TempDirectory();
        outside.WriteFile("secret.lock", "outside the workspace");
        using var folder = new TempDirectory();
        folder.WriteFile("own.lock", "mine");
        var alone = await Hash(folder, "**/*.lock");

        File.CreateSymbolicLink(folder.Combine("link.lock"), outside.Combine("secret.lock"));
        Directory.CreateSymbolicLink(folder.Combine("linked"), outside.Path);

        Assert.Equal(alone, await Hash(folder, "**/*.lock"));
    }

    [Fact]
    public async Task GitFolder_IsSkipped_AndNegativeGlobsExclude()
    {
        using var folder = new TempDirectory();
        folder.WriteFile("app.lock", "app");
        var alone = await Hash(folder, "**/*.lock");
        folder.WriteFile(".git/objects/x.lock", "git's own");
        folder.WriteFile("vendor/v.lock", "vendored");

        Assert.Equal(alone, await Hash(folder, "**/*.lock", "!vendor/**"));
        Assert.NotEqual(alone, await Hash(folder, "**/*.lock"));
    }
}
