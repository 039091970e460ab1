using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Core.Artifacts;

namespace Cairn.Storage.Blobs;

/// <summary>Blobs as objects of an S3-compatible bucket, under a prefix. A stream that cannot seek is first spooled to a
/// temporary file (never to memory) so that its length is known; a blob above <see cref="MultipartThreshold"/> goes up in
/// parts. Reads ask for the range they want. The credentials stay inside the client: nothing here prints them.</summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    /// <summary>Blobs above this go up in parts, of this size each (the last smaller).</summary>
    public const long DefaultMultipartThreshold = 64L << 20;

    /// <summary>The least size S3 takes for a part but the last.</summary>
    private const long MinimumPartSize = 5L << 20;

    private const int BufferSize = 1 << 16;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <param name="client">The bucket's client, owned from here on (disposed with the store).</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The keys' prefix, without slashes at its ends; empty for none.</param>
    /// <param name="multipartThreshold">Blobs above this many bytes go up in parts of this size (at least 5 MiB, S3's least).</param>
    public S3BlobStore(IAmazonS3 client, string bucket, string prefix, long multipartThreshold = DefaultMultipartThreshold)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multipartThreshold);
        if (prefix.Length > 0)
        {
            BlobKeyRules.Check(prefix);
        }

        _client = client;
        _bucket = bucket;
        _prefix = prefix;
        MultipartThreshold = multipartThreshold;
    }

    public long MultipartThreshold { get; }

    public string Description => _prefix.Length == 0 ? $"s3://{_bucket}" : $"s3://{_bucket}/{_prefix}";

    /// <summary>A client for <paramref name="settings"/>: path-style when asked or when an endpoint is given; region
    /// us-east-1 unless told; checksums only where S3 requires them, which every S3-compatible service understands.</summary>
    public static AmazonS3Client CreateClient(BlobStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var region = string.IsNullOrWhiteSpace(settings.Region) ? "us-east-1" : settings.Region;
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.PathStyle ?? !string.IsNullOrEmpty(settings.Endpoint),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(settings.Endpoint))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = settings.Endpoint;
            config.AuthenticationRegion = region;
        }

        var accessKeyId = settings.AccessKeyId ?? Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secretAccessKey = settings.SecretAccessKey ?? Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        return !string.IsNullOrEmpty(accessKeyId) && !string.IsNullOrEmpty(secretAccessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(accessKeyId, secretAccessKey), config)
            : new AmazonS3Client(config);
    }

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var objectKey = ObjectKey(key);
        if (content.CanSeek)
        {
            await UploadAsync(objectKey, content, cancellationToken);
            return;
        }

        var spool = Path.Combine(Path.GetTempPath(), $"cairn-blob-{Guid.NewGuid():N}.partial");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
            BufferSize = BufferSize,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new FileStream(spool, options);
        await content.CopyToAsync(file, BufferSize, cancellationToken);
        file.Position = 0;
        await UploadAsync(objectKey, file, cancellationToken);
    }

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public async Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } wanted)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(wanted, nameof(length));
        }

        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key) };
        if (length == 0)
        {
            // No range names no bytes: the blob's being there is all there is to tell.
            return await ExistsAsync(request.Key, cancellationToken) ? new MemoryStream([], writable: false) : null;
        }

        if (length is { } count)
        {
            request.ByteRange = new ByteRange(offset, offset + count - 1);
        }
        else if (offset > 0)
        {
            request.ByteRange = new ByteRange(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bytes={offset}-"));
        }

        try
        {
            var response = await _client.GetObjectAsync(request, cancellationToken);
            return new BoundedReadStream(response.ResponseStream, response.ContentLength, ownsInner: true, owner: response);
        }
        catch (AmazonS3Exception error) when (IsMissing(error))
        {
            return null;
        }
        catch (AmazonS3Exception error) when (error.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The range starts past the blob's end: there is nothing there to read.
            return new MemoryStream([], writable: false);
        }
    }

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = ObjectKey(key) }, cancellationToken);
        }
        catch (AmazonS3Exception error) when (IsMissing(error))
        {
            // No blob had the key.
        }
    }

    public void Dispose() => _client.Dispose();

    private static bool IsMissing(AmazonS3Exception error) =>
        error.StatusCode == HttpStatusCode.NotFound || error.ErrorCode is "NoSuchKey" or "NotFound";

    private string ObjectKey(string key)
    {
        BlobKeyRules.Check(key);
        return _prefix.Length == 0 ? key : $"{_prefix}/{key}";
    }

    private async Task<bool> ExistsAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = objectKey }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception error) when (IsMissing(error))
        {
            return false;
        }
    }

    // content can seek: its length from where it stands is the blob's.
    private async Task UploadAsync(string objectKey, Stream content, CancellationToken cancellationToken)
    {
        var size = content.Length - content.Position;
        if (size <= MultipartThreshold)
        {
            await _client.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    InputStream = new BoundedReadStream(content, size, ownsInner: false),
                    AutoCloseStream = true,
                    UseChunkEncoding = false,
                },
                cancellationToken);
            return;
        }

        await UploadInPartsAsync(objectKey, content, size, cancellationToken);
    }

    private async Task UploadInPartsAsync(string objectKey, Stream content, long size, CancellationToken cancellationToken)
    {
        var partSize = Math.Max(MultipartThreshold, MinimumPartSize);
        var started = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = objectKey }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var start = content.Position;
            for (var (number, done) = (1, 0L); done < size; number++)
            {
                var length = Math.Min(partSize, size - done);
                content.Position = start + done;
                var uploaded = await _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = objectKey,
                        UploadId = started.UploadId,
                        PartNumber = number,
                        PartSize = length,
                        InputStream = new BoundedReadStream(content, length, ownsInner: false),
                        IsLastPart = done + length == size,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                parts.Add(new PartETag(number, uploaded.ETag));
                done += length;
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = started.UploadId, PartETags = parts },
                cancellationToken);
        }
        catch
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = started.UploadId }, CancellationToken.None);
            throw;
        }
    }
}
