namespace Cairn.Core.Artifacts;

/// <summary>The store's record of cache entries (their content is a blob in an <see cref="IBlobStore"/>): per repository
/// and scope (<see cref="CacheScopes"/>), unique by key within a scope, never overwritten, evicted least recently used
/// first when a repository passes its limit.</summary>
public interface ICacheIndex
{
    /// <summary>The entry to restore: exact <paramref name="key"/> in each of <paramref name="scopes"/> in order; else for
    /// each restore key in order, the newest entry whose key starts with it, in each scope in order. Marks the hit used
    /// at <paramref name="now"/>. Null when nothing matches.</summary>
    Task<CacheEntryRecord?> FindCacheAsync(
        string repository, IReadOnlyList<string> scopes, string key, IReadOnlyList<string> restoreKeys, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>Records an entry whose blob has been written. Null when the scope already holds the key: the caller then
    /// deletes its blob.</summary>
    Task<CacheEntryRecord?> AddCacheAsync(NewCacheEntry entry, CancellationToken cancellationToken);

    /// <summary>A repository's entries, newest use first.</summary>
    Task<IReadOnlyList<CacheEntryRecord>> ListCachesAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Forgets the least recently used entries of <paramref name="repository"/> until its entries add up to at
    /// most <paramref name="maxBytes"/>, queuing their blobs for deletion (<see cref="IArtifactIndex.TakeBlobDeletionsAsync"/>);
    /// answers how many went.</summary>
    Task<int> EvictCachesAsync(string repository, long maxBytes, CancellationToken cancellationToken);
}

/// <summary>An entry to record.</summary>
public sealed record NewCacheEntry(string Repository, string Scope, string Key, string Blob, long Bytes, DateTimeOffset CreatedAt);

/// <summary>A recorded entry.</summary>
public sealed record CacheEntryRecord(
    long Id,
    string Repository,
    string Scope,
    string Key,
    string Blob,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt);
