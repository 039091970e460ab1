namespace Cairn.Core.Artifacts;

/// <summary>Where the bytes of artifacts and caches live: a folder of the server's data directory, or an S3-compatible
/// bucket. Keys are <c>/</c>-separated, made by <see cref="BlobKeys"/> only. Streams are read and written front to back:
/// a blob never sits in memory whole.</summary>
public interface IBlobStore
{
    /// <summary>What a person reads in a message: <c>the data directory</c>, <c>s3://bucket/prefix</c>.</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="content"/> (read to its end) under <paramref name="key"/>; the blob is seen by readers
    /// only once whole. Writing a key again replaces it.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="length"/> bytes (null: to the end) from <paramref name="offset"/>; null when no blob
    /// has the key.</summary>
    Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Deletes a blob; a key with none is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>The blob keys, in one place: <c>artifacts/RUN/JOB-ATTEMPT-NONCE.tar</c> and
/// <c>caches/NONCE.tar</c>. Nothing a user writes is part of a key.</summary>
public static class BlobKeys
{
    public static string Artifacts(long runId, long jobId, int attempt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"artifacts/{runId}/{jobId}-{attempt}-{Guid.NewGuid():N}.tar");

    public static string Cache() => $"caches/{Guid.NewGuid():N}.tar";
}
