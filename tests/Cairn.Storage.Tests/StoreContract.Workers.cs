using Cairn.Core.Workers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The workers an administrator made, what the server last heard of each, and the jobs each runs now.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Workers_AreAddedFoundAndListed_NamesUniqueWithoutRegardToCase()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var (_, tokenId, hash) = WorkerTokens.Create();

        var added = await scope.Store.AddWorkerAsync(new NewWorker("build-1", ["linux", "big"], tokenId, hash, at, "alice"), Token);
        var (_, otherId, otherHash) = WorkerTokens.Create();

        Assert.NotNull(added);
        Assert.Equal(("build-1", false, at, "alice"), (added.Name, added.Paused, added.CreatedAt, added.CreatedBy));
        Assert.Equal(["linux", "big"], added.Labels);
        Assert.Equal(hash, added.TokenHash);
        Assert.Equal((null, null, null), (added.LastSeenAt, added.Version, added.Address));
        Assert.Null(await scope.Store.AddWorkerAsync(new NewWorker("BUILD-1", [], otherId, otherHash, at, null), Token));
        await Assert.ThrowsAsync<ArgumentException>(
            () => scope.Store.AddWorkerAsync(new NewWorker("a/b", [], otherId, otherHash, at, null), Token));

        var found = await scope.Store.GetWorkerAsync("Build-1", Token);
        Assert.Equal((added.Id, tokenId), (found!.Id, found.TokenId));
        Assert.Equal(added.Id, (await scope.Store.GetWorkerByTokenIdAsync(tokenId, Token))!.Id);
        Assert.Null(await scope.Store.GetWorkerByTokenIdAsync(otherId, Token));
        Assert.Null(await scope.Store.GetWorkerAsync("build-2", Token));

        var later = await scope.Store.AddWorkerAsync(new NewWorker("arm-1", [], otherId, otherHash, at, null), Token);
        Assert.Empty(later!.Labels);
        Assert.Equal(["arm-1", "build-1"], (await scope.Store.ListWorkersAsync(Token)).Select(w => w.Name));
    }

    [Fact]
    public async Task Workers_AreListedWithTheJobsRunningUnderTheirLeases_OnlyTheirOwn()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        foreach (var name in new[] { "w", "w1", "w_" })
        {
            var (_, id, hash) = WorkerTokens.Create();
            await scope.Store.AddWorkerAsync(new NewWorker(name, [], id, hash, at, null), Token);
        }

        await scope.QueueJobsAsync(4);
        Assert.NotNull(await scope.Store.TryLeaseAsync(WorkerNames.LeaseOwner("w1", "abc", 1), [], Token));
        Assert.NotNull(await scope.Store.TryLeaseAsync(WorkerNames.LeaseOwner("w1", "abc", 2), [], Token));
        Assert.NotNull(await scope.Store.TryLeaseAsync(WorkerNames.LeaseOwner("wx", "abc", 1), [], Token));
        Assert.NotNull(await scope.Store.TryLeaseAsync("server-1", [], Token));

        var listed = await scope.Store.ListWorkersAsync(Token);

        Assert.Equal([("w", 0), ("w1", 2), ("w_", 0)], listed.Select(w => (w.Name, w.RunningJobs)));
    }

    [Fact]
    public async Task Workers_ArePausedResumedTouchedAndRemoved_AndARemovedWorkersTokenFindsNothing()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var (_, tokenId, hash) = WorkerTokens.Create();
        var added = await scope.Store.AddWorkerAsync(new NewWorker("build-1", ["linux"], tokenId, hash, at, null), Token);

        Assert.True(await scope.Store.SetWorkerPausedAsync("BUILD-1", true, Token));
        Assert.True((await scope.Store.GetWorkerAsync("build-1", Token))!.Paused);
        Assert.True(await scope.Store.SetWorkerPausedAsync("build-1", false, Token));
        Assert.False((await scope.Store.GetWorkerAsync("build-1", Token))!.Paused);
        Assert.False(await scope.Store.SetWorkerPausedAsync("build-2", true, Token));

        var seen = at.AddMinutes(3).AddTicks(1234);
        await scope.Store.TouchWorkerAsync(added!.Id, seen, "1.2.3", "10.0.0.7", Token);
        var touched = (await scope.Store.ListWorkersAsync(Token)).Single();
        Assert.Equal((Truncate(seen), "1.2.3", "10.0.0.7"), (touched.LastSeenAt, touched.Version, touched.Address));

        Assert.True(await scope.Store.RemoveWorkerAsync("Build-1", Token));
        Assert.False(await scope.Store.RemoveWorkerAsync("build-1", Token));
        Assert.Null(await scope.Store.GetWorkerByTokenIdAsync(tokenId, Token));
        Assert.Null(await scope.Store.GetWorkerAsync("build-1", Token));
        Assert.Empty(await scope.Store.ListWorkersAsync(Token));
    }

    private static DateTimeOffset Truncate(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
}
