using Cairn.Core.Artifacts;
using Cairn.Storage.Blobs;
using static Cairn.Storage.Tests.Blobs.TestStreams;

namespace Cairn.Storage.Tests.Blobs;

/// <summary>Blobs as files: whole or not at all to a reader, ranges read without the rest, keys kept inside the folder,
/// and the owner's only.</summary>
public sealed class FileSystemBlobStoreTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Put_ThenRead_WholeAndByRange()
    {
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));
        var content = Bytes(100_000);
        var key = BlobKeys.Artifacts(1, 2, 1);

        await store.PutAsync(key, new MemoryStream(content), Token);

        Assert.Equal(content, await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
        Assert.Equal(content[1000..1500], await ReadAllAsync((await store.OpenReadAsync(key, 1000, 500, Token))!));
        Assert.Equal(content[99_000..], await ReadAllAsync((await store.OpenReadAsync(key, 99_000, null, Token))!));
        Assert.Equal(content[99_900..], await ReadAllAsync((await store.OpenReadAsync(key, 99_900, 5000, Token))!));
        Assert.Empty(await ReadAllAsync((await store.OpenReadAsync(key, 200_000, 10, Token))!));
        await using var ranged = await store.OpenReadAsync(key, 10, 20, Token);
        Assert.Equal((false, 20L), (ranged!.CanWrite, ranged.Length));
    }

    [Fact]
    public async Task Read_OfAMissingKey_IsNull_AndDeleteOfOne_IsFine()
    {
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));
        var key = BlobKeys.Cache();

        Assert.Null(await store.OpenReadAsync(key, 0, null, Token));
        await store.DeleteAsync(key, Token);
        await store.DeleteAsync("artifacts/9/none.tar", Token);

        await store.PutAsync(key, new MemoryStream([1, 2, 3]), Token);
        await store.DeleteAsync(key, Token);
        Assert.Null(await store.OpenReadAsync(key, 0, null, Token));
    }

    [Fact]
    public async Task Put_IsSeenOnlyWhole_AReaderMeanwhileSeesTheEarlierBlob()
    {
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));
        var key = BlobKeys.Cache();
        var earlier = Bytes(10_000, seed: 1);
        var later = Bytes(50_000, seed: 2);
        await store.PutAsync(key, new MemoryStream(earlier), Token);
        var halfWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var putting = store.PutAsync(
            key,
            new OneWayStream(later, async position =>
            {
                if (position >= later.Length / 2 && !halfWay.Task.IsCompleted)
                {
                    halfWay.SetResult();
                    await letGo.Task;
                }
            }),
            Token);
        await halfWay.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(earlier, await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
        Assert.Null(await store.OpenReadAsync("caches/other.tar", 0, null, Token));
        letGo.SetResult();
        await putting;
        Assert.Equal(later, await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
        Assert.Equal([Path.GetFileName(key)], Directory.GetFiles(Path.GetDirectoryName(_folder.Combine("blobs", key))!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Put_ThatFails_LeavesNothing()
    {
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));
        var key = BlobKeys.Cache();

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(
            key, new OneWayStream(Bytes(20_000), position => position > 8000 ? throw new IOException("the job went away") : Task.CompletedTask), Token));

        Assert.Null(await store.OpenReadAsync(key, 0, null, Token));
        Assert.Empty(Directory.GetFiles(_folder.Combine("blobs", "caches")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Blobs_AndTheirFolders_AreTheOwnersOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));
        var key = BlobKeys.Artifacts(12, 34, 1);

        await store.PutAsync(key, new MemoryStream([1]), Token);

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner, File.GetUnixFileMode(_folder.Combine("blobs", key)));
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder.Combine("blobs", "artifacts", "12")));
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder.Combine("blobs")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../outside.tar")]
    [InlineData("caches/../../outside.tar")]
    [InlineData("caches//a.tar")]
    [InlineData("caches/./a.tar")]
    [InlineData("caches/")]
    [InlineData("Caches/A.tar")]
    [InlineData("caches\\a.tar")]
    [InlineData("caches/a b.tar")]
    [InlineData("caches/%2e%2e/a.tar")]
    public async Task Keys_OutsideTheRules_AreRefused(string key)
    {
        var store = new FileSystemBlobStore(_folder.Combine("blobs"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream([1]), Token));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(key, 0, null, Token));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key, Token));
        Assert.False(File.Exists(_folder.Combine("outside.tar")));
    }

    public void Dispose() => _folder.Dispose();
}
