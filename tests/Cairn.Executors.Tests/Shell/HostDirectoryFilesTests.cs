using System.Formats.Tar;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Shell.TarStreams;

namespace Cairn.Executors.Tests.Shell;

/// <summary>Files in and out of a folder on this host: round trips keep what they carry, and extraction never leaves
/// its folder nor writes through a link.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostDirectoryFilesTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly HostDirectoryFiles _files;

    public HostDirectoryFilesTests()
    {
        Directory.CreateDirectory(Source);
        Directory.CreateDirectory(Target);
        Directory.CreateDirectory(Outside);
        _files = new HostDirectoryFiles([Source, Target], null);
    }

    public void Dispose() => _root.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Source => _root.Combine("source");

    private string Target => _root.Combine("target");

    private string Outside => _root.Combine("outside");

    private async Task<MemoryStream> ArchiveAsync(params string[] subpaths)
    {
        var tar = new MemoryStream();
        await _files.ArchiveAsync(Source, subpaths, tar, Token);
        return tar;
    }

    [Fact]
    public async Task RoundTrip_KeepsContentModesAndLinksAsLinks()
    {
        _root.WriteFile("source/dist/app.txt", "the app\n");
        File.SetUnixFileMode(_root.Combine("source/dist/app.txt"), (UnixFileMode)0x1A0);
        _root.WriteFile("source/dist/run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(_root.Combine("source/dist/run.sh"), (UnixFileMode)0x1ED);
        Directory.CreateDirectory(_root.Combine("source/dist/empty"));
        File.CreateSymbolicLink(_root.Combine("source/dist/latest"), "app.txt");

        var tar = await ArchiveAsync("");
        tar.Position = 0;
        await _files.ExtractAsync(Target, tar, Token);

        Assert.Equal(["dist", "dist/app.txt", "dist/empty", "dist/latest", "dist/run.sh"], Read(tar).Select(e => e.Name));
        Assert.Equal((TarEntryType.SymbolicLink, "app.txt"), Read(tar).Where(e => e.Name == "dist/latest").Select(e => (e.Type, e.LinkName)).Single());
        Assert.Equal("the app\n", await File.ReadAllTextAsync(Path.Combine(Target, "dist/app.txt"), Token));
        Assert.Equal((UnixFileMode)0x1A0, File.GetUnixFileMode(Path.Combine(Target, "dist/app.txt")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(Target, "dist/run.sh")));
        Assert.True(Directory.Exists(Path.Combine(Target, "dist/empty")));
        Assert.Equal("app.txt", new FileInfo(Path.Combine(Target, "dist/latest")).LinkTarget);
        Assert.Equal("the app\n", await File.ReadAllTextAsync(Path.Combine(Target, "dist/latest"), Token));
    }

    [Fact]
    public async Task Archive_LeavesOutAMissingSubpath_AndNamesEntriesFromTheFolder()
    {
        _root.WriteFile("source/a/b/c.txt", "c");
        _root.WriteFile("source/other.txt", "o");

        var tar = await ArchiveAsync("missing", "a/b/c.txt", "a/nothing/here");

        Assert.Equal([(TarEntryType.RegularFile, "a/b/c.txt", "c")], Read(tar).Select(e => (e.Type, e.Name, e.Content)));
    }

    [Fact]
    public async Task Archive_NeverFollowsALink_NorReachesThroughOne()
    {
        _root.WriteFile("outside/secret.txt", "secret");
        Directory.CreateSymbolicLink(_root.Combine("source/escape"), Outside);

        var tar = await ArchiveAsync("escape", "escape/secret.txt");

        var entry = Assert.Single(Read(tar));
        Assert.Equal((TarEntryType.SymbolicLink, "escape", Outside, ""), (entry.Type, entry.Name, entry.LinkName, entry.Content));
    }

    [Fact]
    public async Task Extract_ReplacesFiles_AndMakesTheFolderAndTheFoldersOnTheWay()
    {
        _root.WriteFile("target/cache/x/old.txt", "old");
        var folder = Path.Combine(Target, "cache", "x");

        await _files.ExtractAsync(folder, Write(FileEntry("old.txt", "new"), FileEntry("deep/er/file.txt", "deep")), Token);
        await _files.ExtractAsync(Path.Combine(Target, "fresh", "folder"), Write(FileEntry("f.txt", "f")), Token);

        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(folder, "old.txt"), Token));
        Assert.Equal("deep", await File.ReadAllTextAsync(Path.Combine(folder, "deep/er/file.txt"), Token));
        Assert.Equal("f", await File.ReadAllTextAsync(Path.Combine(Target, "fresh/folder/f.txt"), Token));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/abs/x")]
    public async Task Extract_RefusesANameThatLeavesTheFolder(string name)
    {
        var error = await Assert.ThrowsAsync<TarEntryRefusedException>(() => _files.ExtractAsync(Target, Write(FileEntry(name, "x")), Token));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.False(File.Exists(_root.Combine("x")));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc")]
    [InlineData("a/../../..")]
    public async Task Extract_RefusesALinkThatPointsOutside(string target)
    {
        var error = await Assert.ThrowsAsync<TarEntryRefusedException>(() => _files.ExtractAsync(Target, Write(LinkEntry("l", target)), Token));

        Assert.Contains("'l'", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(Target, "l")));
    }

    [Fact]
    public async Task Extract_NeverWritesThroughALinkTheFolderHas()
    {
        Directory.CreateSymbolicLink(Path.Combine(Target, "d"), Outside);
        File.CreateSymbolicLink(Path.Combine(Target, "f"), _root.WriteFile("outside/kept.txt", "kept"));

        await Assert.ThrowsAsync<TarEntryRefusedException>(() => _files.ExtractAsync(Target, Write(FileEntry("d/planted.txt", "x")), Token));
        await _files.ExtractAsync(Target, Write(FileEntry("f", "replaced")), Token);

        Assert.Equal(["kept.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("kept", await File.ReadAllTextAsync(_root.Combine("outside/kept.txt"), Token));
        Assert.Null(new FileInfo(Path.Combine(Target, "f")).LinkTarget);
        Assert.Equal("replaced", await File.ReadAllTextAsync(Path.Combine(Target, "f"), Token));
    }

    [Fact]
    public async Task Extract_NeverWritesThroughALinkAnEarlierEntryMade()
    {
        var tar = Write(FolderEntry("inner"), LinkEntry("hop", "inner"), FileEntry("hop/x.txt", "x"));

        var error = await Assert.ThrowsAsync<TarEntryRefusedException>(() => _files.ExtractAsync(Target, tar, Token));

        Assert.Contains("hop/x.txt", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Target, "inner")));
    }

    [Theory]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.Fifo)]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    public async Task Extract_RefusesHardLinksAndDevices(TarEntryType type)
    {
        var entry = new PaxTarEntry(type, "special");
        if (type == TarEntryType.HardLink)
        {
            entry.LinkName = "/etc/shadow";
        }

        await Assert.ThrowsAsync<TarEntryRefusedException>(() => _files.ExtractAsync(Target, Write(entry), Token));

        Assert.False(Path.Exists(Path.Combine(Target, "special")));
    }

    [Fact]
    public async Task Extract_DropsSetuidBits()
    {
        await _files.ExtractAsync(Target, Write(FileEntry("tool", "#!/bin/sh\n", (UnixFileMode)0xDED)), Token);

        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(Target, "tool")));
    }
}
