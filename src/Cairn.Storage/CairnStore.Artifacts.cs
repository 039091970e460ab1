using Cairn.Core.Artifacts;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>The index of artifact sets and cache entries, and the queue of blobs whose records are gone.</summary>
public abstract partial class CairnStore
{
    private readonly ArtifactRecords _artifacts;
    private readonly CacheRecords _caches;

    public Task<long> AddArtifactSetAsync(NewArtifactSet set, IReadOnlyList<ArtifactFile> files, CancellationToken cancellationToken) =>
        _artifacts.AddArtifactSetAsync(set, files, cancellationToken);

    public Task<IReadOnlyList<ArtifactSetRecord>> ListArtifactSetsAsync(long runId, CancellationToken cancellationToken) =>
        _artifacts.ListArtifactSetsAsync(runId, cancellationToken);

    public Task<ArtifactSetRecord?> GetArtifactSetAsync(long id, CancellationToken cancellationToken) =>
        _artifacts.GetArtifactSetAsync(id, cancellationToken);

    public Task<IReadOnlyList<ArtifactFile>> ListArtifactFilesAsync(long setId, string prefix, int limit, CancellationToken cancellationToken) =>
        _artifacts.ListArtifactFilesAsync(setId, prefix, limit, cancellationToken);

    public Task<ArtifactFile?> GetArtifactFileAsync(long setId, string path, CancellationToken cancellationToken) =>
        _artifacts.GetArtifactFileAsync(setId, path, cancellationToken);

    public Task<long> RepositoryArtifactBytesAsync(string repository, CancellationToken cancellationToken) =>
        _artifacts.RepositoryArtifactBytesAsync(repository, cancellationToken);

    public Task<int> ExpireArtifactSetsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        _artifacts.ExpireArtifactSetsAsync(now, limit, cancellationToken);

    public Task<IReadOnlyList<string>> TakeBlobDeletionsAsync(int limit, CancellationToken cancellationToken) =>
        _artifacts.TakeBlobDeletionsAsync(limit, cancellationToken);

    public Task ForgetBlobDeletionsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        _artifacts.ForgetBlobDeletionsAsync(keys, cancellationToken);

    public Task<CacheEntryRecord?> FindCacheAsync(
        string repository, IReadOnlyList<string> scopes, string key, IReadOnlyList<string> restoreKeys, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        _caches.FindCacheAsync(repository, scopes, key, restoreKeys, now, cancellationToken);

    public Task<CacheEntryRecord?> AddCacheAsync(NewCacheEntry entry, CancellationToken cancellationToken) =>
        _caches.AddCacheAsync(entry, cancellationToken);

    public Task<IReadOnlyList<CacheEntryRecord>> ListCachesAsync(string repository, CancellationToken cancellationToken) =>
        _caches.ListCachesAsync(repository, cancellationToken);

    public Task<int> EvictCachesAsync(string repository, long maxBytes, CancellationToken cancellationToken) =>
        _caches.EvictCachesAsync(repository, maxBytes, cancellationToken);
}
