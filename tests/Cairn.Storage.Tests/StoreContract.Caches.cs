using Cairn.Core.Artifacts;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The index of cache entries: the exact key beats a restore key's prefix, scopes are searched in order, the newest
/// entry of a prefix wins, a hit is marked used, a key is never overwritten, and eviction goes least recently used first.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task FindCache_PrefersTheExactKey_InScopeOrder_ThenEachRestoreKeysNewest()
    {
        await using var scope = await OpenAsync();
        var t = scope.Time.GetUtcNow();
        var onMain = await AddCacheAsync(scope, "branch/main", "deps-linux-aaa", t);
        var onFeature = await AddCacheAsync(scope, "branch/feature", "deps-linux-bbb", t.AddMinutes(1));
        var newerOnMain = await AddCacheAsync(scope, "branch/main", "deps-linux-ccc", t.AddMinutes(2));
        await AddCacheAsync(scope, "branch/main", "deps-linuxz", t.AddMinutes(3));
        await AddCacheAsync(scope, "branch/other", "deps-linux-aaa", t.AddMinutes(4));
        string[] scopes = ["branch/feature", "branch/main"];

        async Task<long?> FindAsync(string key, params string[] restoreKeys) =>
            (await scope.Store.FindCacheAsync("acme/widgets", scopes, key, restoreKeys, scope.Time.GetUtcNow(), Token))?.Id;

        Assert.Equal(onMain.Id, await FindAsync("deps-linux-aaa", "deps-linux-"));
        Assert.Equal(onFeature.Id, await FindAsync("deps-linux-zzz", "deps-linux-"));
        Assert.Equal(newerOnMain.Id, await FindAsync("deps-linux-zzz", "deps-linux-c", "deps-linux-"));
        Assert.Equal(newerOnMain.Id, await FindAsync("deps-linux-zzz", "deps-linux-ccc"));
        Assert.Null(await FindAsync("deps-mac-aaa", "deps-mac-"));
        Assert.Null(await FindAsync("deps-linux-aaa%", "deps-linux_"));
        Assert.Null(await scope.Store.FindCacheAsync("acme/widgets", ["branch/none"], "deps-linux-aaa", ["deps"], t, Token));
        Assert.Equal(onMain.Id, (await scope.Store.FindCacheAsync("ACME/Widgets", ["branch/main"], "deps-linux-aaa", [], t, Token))?.Id);
    }

    [Fact]
    public async Task FindCache_MarksTheHitUsed()
    {
        await using var scope = await OpenAsync();
        var t = scope.Time.GetUtcNow();
        var entry = await AddCacheAsync(scope, "branch/main", "k", t);
        Assert.Equal(t.ToUnixTimeMilliseconds(), entry.LastUsedAt.ToUnixTimeMilliseconds());

        var later = t.AddHours(1);
        var hit = await scope.Store.FindCacheAsync("acme/widgets", ["branch/main"], "k", [], later, Token);

        Assert.Equal(later.ToUnixTimeMilliseconds(), hit!.LastUsedAt.ToUnixTimeMilliseconds());
        var listed = Assert.Single(await scope.Store.ListCachesAsync("acme/widgets", Token));
        Assert.Equal(later.ToUnixTimeMilliseconds(), listed.LastUsedAt.ToUnixTimeMilliseconds());
        Assert.Equal(t.ToUnixTimeMilliseconds(), listed.CreatedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task AddCache_OfAKeyTheScopeHolds_AnswersNull_AndKeepsTheFirst()
    {
        await using var scope = await OpenAsync();
        var t = scope.Time.GetUtcNow();
        var first = await AddCacheAsync(scope, "branch/main", "k", t);

        Assert.Null(await scope.Store.AddCacheAsync(new NewCacheEntry("ACME/widgets", "branch/main", "k", "caches/again.tar", 9, t), Token));
        Assert.NotNull(await scope.Store.AddCacheAsync(new NewCacheEntry("acme/widgets", "branch/dev", "k", "caches/dev.tar", 9, t), Token));

        var kept = await scope.Store.FindCacheAsync("acme/widgets", ["branch/main"], "k", [], t, Token);
        Assert.Equal((first.Id, first.Blob), (kept!.Id, kept.Blob));
        Assert.Equal(("acme/widgets", "branch/main", "k", 100L), (kept.Repository, kept.Scope, kept.Key, kept.Bytes));
    }

    [Fact]
    public async Task EvictCaches_ForgetsTheLeastRecentlyUsedFirst_UntilUnderTheLimit_AndQueuesTheirBlobs()
    {
        await using var scope = await OpenAsync();
        var t = scope.Time.GetUtcNow();
        var a = await AddCacheAsync(scope, "branch/main", "a", t);
        var b = await AddCacheAsync(scope, "branch/main", "b", t.AddMinutes(1));
        var c = await AddCacheAsync(scope, "branch/main", "c", t.AddMinutes(2));
        await scope.Store.AddCacheAsync(new NewCacheEntry("acme/gadgets", "branch/main", "a", "caches/gadgets.tar", 1000, t), Token);
        await scope.Store.FindCacheAsync("acme/widgets", ["branch/main"], "a", [], t.AddMinutes(3), Token);

        Assert.Equal([a.Id, c.Id, b.Id], (await scope.Store.ListCachesAsync("acme/widgets", Token)).Select(e => e.Id));
        Assert.Equal(0, await scope.Store.EvictCachesAsync("acme/widgets", 300, Token));
        Assert.Equal(2, await scope.Store.EvictCachesAsync("acme/widgets", 150, Token));

        Assert.Equal([a.Id], (await scope.Store.ListCachesAsync("acme/widgets", Token)).Select(e => e.Id));
        Assert.Equal([b.Blob, c.Blob], (await scope.Store.TakeBlobDeletionsAsync(10, Token)).Order());
        Assert.Single(await scope.Store.ListCachesAsync("acme/gadgets", Token));
        Assert.Equal(1, await scope.Store.EvictCachesAsync("acme/widgets", 0, Token));
    }

    [Fact]
    public async Task DeleteRepository_ForgetsItsCaches_AndQueuesTheirBlobs()
    {
        await using var scope = await OpenAsync();
        var t = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.AddRepositoryAsync(
            new Core.Repositories.RepositoryRecord(
                "Acme/Widgets", Core.Forges.ForgeKind.GitHub, "https://github.com/acme/widgets.git", "https://api.github.com", "main", null, null, t),
            Token));
        var entry = await AddCacheAsync(scope, "branch/main", "k", t);
        await scope.Store.AddCacheAsync(new NewCacheEntry("acme/gadgets", "branch/main", "k", "caches/kept.tar", 1, t), Token);

        Assert.True(await scope.Store.DeleteRepositoryAsync("acme/widgets", Token));

        Assert.Empty(await scope.Store.ListCachesAsync("acme/widgets", Token));
        Assert.Equal([entry.Blob], await scope.Store.TakeBlobDeletionsAsync(10, Token));
        Assert.Single(await scope.Store.ListCachesAsync("acme/gadgets", Token));
    }

    private static async Task<CacheEntryRecord> AddCacheAsync(StoreScope scope, string cacheScope, string key, DateTimeOffset at)
    {
        var added = await scope.Store.AddCacheAsync(
            new NewCacheEntry("acme/widgets", cacheScope, key, $"caches/{cacheScope.Replace('/', '-')}-{key}.tar", 100, at), Token);
        Assert.NotNull(added);
        return added;
    }
}
