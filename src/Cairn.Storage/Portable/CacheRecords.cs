using Cairn.Core.Artifacts;
using static Cairn.Storage.Portable.ArtifactSql;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The index of cache entries (<see cref="ICacheIndex"/>), in SQL both dialects run as written. A repository is
/// kept by its lower-case name, as repositories are compared everywhere; a restore key's prefix is a range of the unique
/// index on (repository, scope, key).</summary>
internal sealed class CacheRecords(IStatementRunner database, TimeProvider time) : ICacheIndex
{
    private const string Exact = $"""
        SELECT {CacheColumns} FROM cache_entries WHERE repository = @repository AND scope = @scope AND key = @key;
        """;

    private const string MarkUsed = "UPDATE cache_entries SET last_used_at = @now WHERE id = @id;";

    private const string Insert = $"""
        INSERT INTO cache_entries (repository, scope, key, blob, bytes, created_at, last_used_at)
        VALUES (@repository, @scope, @key, @blob, @bytes, @created, @created)
        ON CONFLICT (repository, scope, key) DO NOTHING
        RETURNING {CacheColumns};
        """;

    private const string OfRepository = $"""
        SELECT {CacheColumns} FROM cache_entries WHERE repository = @repository ORDER BY last_used_at DESC, id DESC;
        """;

    private const string LeastRecentlyUsed = """
        SELECT id, bytes FROM cache_entries WHERE repository = @repository ORDER BY last_used_at, id;
        """;

    /// <summary>Queues the blobs of a repository's entries (<c>@key</c>) and forgets them: the repository is being removed.</summary>
    public const string DeleteOfRepository = """
        INSERT INTO blob_deletions (blob, queued_at)
        SELECT blob, @queued FROM cache_entries WHERE repository = @key
        ON CONFLICT (blob) DO NOTHING;
        DELETE FROM cache_entries WHERE repository = @key;
        """;

    public async Task<CacheEntryRecord?> FindCacheAsync(
        string repository, IReadOnlyList<string> scopes, string key, IReadOnlyList<string> restoreKeys, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(restoreKeys);
        var name = ServerRows.RepositoryKey(repository);
        var hit = await FindExactAsync(name, scopes, key, cancellationToken);
        for (var i = 0; hit is null && i < restoreKeys.Count; i++)
        {
            hit = await FindNewestAsync(name, scopes, restoreKeys[i], cancellationToken);
        }

        if (hit is null)
        {
            return null;
        }

        await database.ExecuteAsync(MarkUsed, c => c.Bind("@id", hit.Id).Bind("@now", ToMillis(now)), cancellationToken);
        return hit with { LastUsedAt = Truncate(now) };
    }

    public async Task<CacheEntryRecord?> AddCacheAsync(NewCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var added = await database.WriteReturningAsync(
            Insert,
            c => c
                .Bind("@repository", ServerRows.RepositoryKey(entry.Repository))
                .Bind("@scope", entry.Scope)
                .Bind("@key", entry.Key)
                .Bind("@blob", entry.Blob)
                .Bind("@bytes", entry.Bytes)
                .Bind("@created", ToMillis(entry.CreatedAt)),
            ReadCache,
            cancellationToken);
        return added.SingleOrDefault();
    }

    public async Task<IReadOnlyList<CacheEntryRecord>> ListCachesAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return await database.QueryAsync(
            OfRepository, c => c.Bind("@repository", ServerRows.RepositoryKey(repository)), ReadCache, cancellationToken);
    }

    public async Task<int> EvictCachesAsync(string repository, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var name = ServerRows.RepositoryKey(repository);
        return await database.InTransactionAsync(
            async transaction =>
            {
                var entries = await transaction.QueryAsync(
                    LeastRecentlyUsed, c => c.Bind("@repository", name), row => (Id: row.GetInt64(0), Bytes: row.GetInt64(1)), cancellationToken);
                var total = entries.Sum(e => e.Bytes);
                var victims = new List<long>();
                foreach (var entry in entries)
                {
                    if (total <= maxBytes)
                    {
                        break;
                    }

                    victims.Add(entry.Id);
                    total -= entry.Bytes;
                }

                var gone = 0;
                var queued = ToMillis(time.GetUtcNow());
                foreach (var chunk in victims.Chunk(ArtifactRecords.ListedPerStatement))
                {
                    var ids = Parameters("entry", chunk.Length);
                    void Bind(System.Data.Common.DbCommand c)
                    {
                        BindEach(c, "entry", chunk);
                        c.Bind("@queued", queued);
                    }

                    await transaction.ExecuteAsync(
                        $"INSERT INTO blob_deletions (blob, queued_at) SELECT blob, @queued FROM cache_entries WHERE id IN ({ids}) ON CONFLICT (blob) DO NOTHING;",
                        Bind,
                        cancellationToken);
                    gone += await transaction.ExecuteAsync($"DELETE FROM cache_entries WHERE id IN ({ids});", Bind, cancellationToken);
                }

                return gone;
            },
            cancellationToken);
    }

    private async Task<CacheEntryRecord?> FindExactAsync(string repository, IReadOnlyList<string> scopes, string key, CancellationToken cancellationToken)
    {
        foreach (var scope in scopes)
        {
            var found = await database.QueryAsync(
                Exact, c => c.Bind("@repository", repository).Bind("@scope", scope).Bind("@key", key), ReadCache, cancellationToken);
            if (found is [var hit])
            {
                return hit;
            }
        }

        return null;
    }

    // The newest entry whose key starts with the prefix, in each scope in order: the range of keys the prefix spans.
    private async Task<CacheEntryRecord?> FindNewestAsync(string repository, IReadOnlyList<string> scopes, string prefix, CancellationToken cancellationToken)
    {
        var end = prefix.Length == 0 ? null : PrefixEnd(prefix);
        var upper = end is null ? "" : " AND key < @to";
        var sql = $"""
            SELECT {CacheColumns} FROM cache_entries
            WHERE repository = @repository AND scope = @scope AND key >= @from{upper}
            ORDER BY created_at DESC, id DESC LIMIT 1;
            """;
        foreach (var scope in scopes)
        {
            var found = await database.QueryAsync(
                sql,
                c =>
                {
                    c.Bind("@repository", repository).Bind("@scope", scope).Bind("@from", prefix);
                    if (end is not null)
                    {
                        c.Bind("@to", end);
                    }
                },
                ReadCache,
                cancellationToken);
            if (found is [var hit])
            {
                return hit;
            }
        }

        return null;
    }
}
