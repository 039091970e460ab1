namespace Cairn.Core.Artifacts;

/// <summary>The store's record of the artifacts jobs kept (the files themselves are blobs in an <see cref="IBlobStore"/>):
/// one set per job attempt, with each file's place in the set's tar so that one file can be read without the rest.</summary>
public interface IArtifactIndex
{
    /// <summary>Records a job attempt's set and its files in one transaction. An earlier set of the same job is forgotten
    /// and its blob queued for deletion (<see cref="TakeBlobDeletionsAsync"/>). Answers the new set's id.</summary>
    Task<long> AddArtifactSetAsync(NewArtifactSet set, IReadOnlyList<ArtifactFile> files, CancellationToken cancellationToken);

    /// <summary>The run's sets that have not expired, one per job, in job id order.</summary>
    Task<IReadOnlyList<ArtifactSetRecord>> ListArtifactSetsAsync(long runId, CancellationToken cancellationToken);

    /// <summary>One set by id; null when it does not exist (or expired and was swept).</summary>
    Task<ArtifactSetRecord?> GetArtifactSetAsync(long id, CancellationToken cancellationToken);

    /// <summary>A set's files whose path starts with <paramref name="prefix"/> ("" for all), in path order, at most
    /// <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ArtifactFile>> ListArtifactFilesAsync(long setId, string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>One file of a set by its exact path; null when the set has none.</summary>
    Task<ArtifactFile?> GetArtifactFileAsync(long setId, string path, CancellationToken cancellationToken);

    /// <summary>The bytes of the unexpired sets of a repository's runs: what its limit is checked against.</summary>
    Task<long> RepositoryArtifactBytesAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Forgets at most <paramref name="limit"/> sets that expired before <paramref name="now"/>, oldest first,
    /// queuing their blobs for deletion; answers how many.</summary>
    Task<int> ExpireArtifactSetsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> blob keys whose records are gone (expired, replaced, evicted, or their
    /// run removed by <see cref="Runs.IRunRetention"/> in the same transaction as the run).</summary>
    Task<IReadOnlyList<string>> TakeBlobDeletionsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Drops the keys whose blobs were deleted from the queue.</summary>
    Task ForgetBlobDeletionsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}

/// <summary>A set to record.</summary>
/// <param name="Blob">Its tar's key in the blob store.</param>
/// <param name="Repository">The run's repository; null for a run with none.</param>
public sealed record NewArtifactSet(
    long RunId,
    long JobId,
    string JobName,
    int Attempt,
    string? Repository,
    string Blob,
    int Files,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>A recorded set.</summary>
public sealed record ArtifactSetRecord(
    long Id,
    long RunId,
    long JobId,
    string JobName,
    int Attempt,
    string? Repository,
    string Blob,
    int Files,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>One file of a set: where its bytes start in the set's tar (<paramref name="Offset"/>) and how many there are.
/// <paramref name="Path"/> is relative, <c>/</c>-separated, never with <c>..</c>. A symbolic link is recorded with its
/// <paramref name="LinkTarget"/> and no bytes.</summary>
public sealed record ArtifactFile(string Path, long Size, long Offset, int Mode, DateTimeOffset Modified, string? LinkTarget = null);
