using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Storage.Sqlite;

namespace Cairn.Server.Tests.Workers;

public sealed class WorkerIdentitiesTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReading_ServesForAFewSeconds_AChangeElsewhereShowsAfterThem_AndForgettingShowsItAtOnce()
    {
        using var data = new TempDirectory();
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(data.Path, "cairn.db") }, time, Token);
        var identities = new WorkerIdentities(store, time);
        var (_, id, hash) = WorkerTokens.Create();
        Assert.NotNull(await store.AddWorkerAsync(new NewWorker("build-1", [], id, hash, time.GetUtcNow(), "admin"), Token));

        Assert.Equal("build-1", (await identities.ByTokenIdAsync(id, Token))?.Name);
        Assert.True(await store.SetWorkerPausedAsync("build-1", true, Token));
        Assert.False((await identities.ByTokenIdAsync(id, Token))!.Paused);

        time.Advance(WorkerIdentities.Fresh);
        Assert.True((await identities.ByTokenIdAsync(id, Token))!.Paused);

        Assert.True(await store.RemoveWorkerAsync("build-1", Token));
        Assert.NotNull(await identities.ByTokenIdAsync(id, Token));
        identities.Forget();
        Assert.Null(await identities.ByTokenIdAsync(id, Token));
        Assert.Null(await identities.ByTokenIdAsync("NoSuchId", Token));
    }
}
