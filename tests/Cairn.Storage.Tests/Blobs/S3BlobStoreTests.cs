using System.Reflection;
using Amazon.S3;
using Cairn.Core.Artifacts;
using Cairn.Storage.Blobs;
using static Cairn.Storage.Tests.Blobs.TestStreams;

namespace Cairn.Storage.Tests.Blobs;

/// <summary>Blobs in a bucket, against s3rver: put, whole and ranged reads, delete, a missing key, the multipart path, and
/// a stream that cannot seek.</summary>
public sealed class S3BlobStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [S3Fact]
    public async Task Put_Read_Range_Delete()
    {
        await using var s3 = await S3rver.StartAsync(Token);
        using var store = Open(s3, "cairn/test");
        var content = Bytes(300_000);
        var key = BlobKeys.Artifacts(1, 2, 1);

        await store.PutAsync(key, new MemoryStream(content), Token);

        Assert.Equal($"s3://{s3.Bucket}/cairn/test", store.Description);
        Assert.Equal(content, await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
        Assert.Equal(content[1000..1512], await ReadAllAsync((await store.OpenReadAsync(key, 1000, 512, Token))!));
        Assert.Equal(content[299_000..], await ReadAllAsync((await store.OpenReadAsync(key, 299_000, null, Token))!));
        Assert.Empty(await ReadAllAsync((await store.OpenReadAsync(key, 5, 0, Token))!));
        await store.DeleteAsync(key, Token);
        Assert.Null(await store.OpenReadAsync(key, 0, null, Token));
        Assert.Null(await store.OpenReadAsync(key, 10, 0, Token));
        await store.DeleteAsync(key, Token);
    }

    [S3Fact]
    public async Task Read_OfAMissingKey_IsNull()
    {
        await using var s3 = await S3rver.StartAsync(Token);
        using var store = Open(s3, "");

        Assert.Null(await store.OpenReadAsync(BlobKeys.Cache(), 0, null, Token));
        Assert.Null(await store.OpenReadAsync(BlobKeys.Cache(), 100, 10, Token));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync("../x", 0, null, Token));
    }

    [S3Fact]
    public async Task ABlobAboveTheThreshold_GoesUpInParts_FromAStreamThatCannotSeek()
    {
        await using var s3 = await S3rver.StartAsync(Token);
        var client = CallRecorder.Wrap(S3BlobStore.CreateClient(Settings(s3)), out var calls);
        using var store = new S3BlobStore(client, s3.Bucket, "parts", multipartThreshold: 1 << 20);
        var content = Bytes((11 << 20) + 12_345);
        var key = BlobKeys.Cache();

        await store.PutAsync(key, new OneWayStream(content), Token);

        Assert.Equal(3, calls.Count(c => c == nameof(IAmazonS3.UploadPartAsync)));
        Assert.Contains(nameof(IAmazonS3.CompleteMultipartUploadAsync), calls);
        Assert.DoesNotContain(nameof(IAmazonS3.PutObjectAsync), calls);

        Assert.Equal(content, await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
        var across = (5 << 20) - 100;
        Assert.Equal(content[across..(across + 200)], await ReadAllAsync((await store.OpenReadAsync(key, across, 200, Token))!));
    }

    [S3Fact]
    public async Task ASmallBlob_FromAStreamThatCannotSeek_GoesUpWhole()
    {
        await using var s3 = await S3rver.StartAsync(Token);
        var client = CallRecorder.Wrap(S3BlobStore.CreateClient(Settings(s3)), out var calls);
        using var store = new S3BlobStore(client, s3.Bucket, "");
        var content = Bytes(70_000);
        var key = BlobKeys.Cache();

        await store.PutAsync(key, new OneWayStream(content), Token);
        await store.PutAsync(key, new OneWayStream(content[..100]), Token);

        Assert.Equal(2, calls.Count(c => c == nameof(IAmazonS3.PutObjectAsync)));
        Assert.DoesNotContain(nameof(IAmazonS3.UploadPartAsync), calls);

        Assert.Equal(content[..100], await ReadAllAsync((await store.OpenReadAsync(key, 0, null, Token))!));
    }

    private static S3BlobStore Open(S3rver s3, string prefix) => new(S3BlobStore.CreateClient(Settings(s3)), s3.Bucket, prefix);

    private static BlobStoreSettings Settings(S3rver s3) =>
        new(null, s3.Endpoint.ToString(), null, S3rver.AccessKeyId, S3rver.SecretAccessKey, null);
}

/// <summary>A real client whose every call is also written down by name, to tell which way a blob went up.</summary>
public class CallRecorder : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private System.Collections.Concurrent.ConcurrentQueue<string> _calls = null!;

    public static IAmazonS3 Wrap(IAmazonS3 inner, out System.Collections.Concurrent.ConcurrentQueue<string> calls)
    {
        var proxy = Create<IAmazonS3, CallRecorder>();
        var recorder = (CallRecorder)(object)proxy;
        recorder._inner = inner;
        recorder._calls = calls = new();
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        _calls.Enqueue(targetMethod.Name);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException error) when (error.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}
