using Cairn.Executors.Shell;

namespace Cairn.Executors.Tests.Shell;

/// <summary>Looking at paths without following links, and telling whether what was opened is still what the path names.</summary>
public sealed class FileKindsTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Kinds_AreSeenWithoutFollowingLinks()
    {
        var file = _root.WriteFile("f.txt", "f");
        File.CreateSymbolicLink(_root.Combine("link"), file);
        Directory.CreateSymbolicLink(_root.Combine("folder-link"), _root.Path);

        Assert.Equal(
            [FileKind.Regular, FileKind.Directory, FileKind.SymbolicLink, FileKind.SymbolicLink, FileKind.Missing, FileKind.Missing],
            new[] { file, _root.Path, _root.Combine("link"), _root.Combine("folder-link"), _root.Combine("none"), _root.Combine("f.txt", "under-a-file") }
                .Select(FileKinds.Of));
    }

    [Fact]
    public void AFileSwappedForALinkAfterItWasOpened_IsNotStillIt()
    {
        var path = _root.WriteFile("f.txt", "f");
        var other = _root.WriteFile("other.txt", "secret");
        using var opened = File.OpenHandle(path);
        using var kept = File.OpenHandle(other);

        Assert.True(FileKinds.IsStill(path, opened));
        File.Delete(path);
        File.CreateSymbolicLink(path, other);

        Assert.False(FileKinds.IsStill(path, opened));
        Assert.False(FileKinds.IsStill(path, kept));
    }
}
