using System.Net;
using Cairn.Core.Artifacts;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Tests.Artifacts;
using Cairn.Workers;
using static Cairn.Server.Tests.Workers.WorkerServer;

namespace Cairn.Server.Tests.Workers;

/// <summary>The artifact and cache calls of the worker protocol, through <see cref="RemoteJobStash"/> on a real server:
/// bound to the lease, so a worker reaches only its lease's run's sets and the caches its run's scopes may read.</summary>
public sealed class WorkerArtifactTests
{
    private static readonly CancellationToken Token = CancellationToken.None;

    [Fact]
    public async Task ASetOfAnotherRun_IsNotServed_AndACacheOutsideTheRunsScopes_IsNotEither()
    {
        await using var world = await StartAsync();
        var (worker, token) = await world.AddWorkerAsync("w1");
        var ownRun = await world.QueueRunAsync();
        var grant = await LeaseAsync(worker);
        Assert.Equal(ownRun, grant.Run.Id);
        var otherRun = await world.QueueRunAsync(Other);
        var otherJob = (await Eventually.ValueAsync(
            () => world.Service<IRunStore>().GetJobsAsync(otherRun, Token), jobs => jobs.Count > 0, "the other run's job")).Single();
        var theirs = await ArtifactSeed.KeepAsync(world.Server.Services, otherRun, otherJob.Id, otherJob.Name, Other, [new("secret.txt", "not yours")]);

        using var connection = new WorkerConnection(new WorkerConnectionOptions(new Uri(world.Server.Url), token));
        var stash = new RemoteJobStash(connection, grant.LeaseId, grant.Job.Id, CacheScopes.For(grant.Run.ToRecord(), null).Save);

        var refused = await Assert.ThrowsAsync<WorkerCallException>(() => stash.OpenArtifactsAsync(new ArtifactSet(theirs, otherJob.Name, 1, 9), Token));
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);

        var cache = await world.Service<ICacheIndex>().AddCacheAsync(
            new NewCacheEntry(Other, CacheScopes.OfBranch("main"), "deps-1", BlobKeys.Cache(), 10, DateTimeOffset.UtcNow), Token);
        Assert.NotNull(cache);
        var notReadable = await Assert.ThrowsAsync<WorkerCallException>(() => stash.OpenCacheAsync(new CacheHit(cache.Id, "deps-1", cache.Scope, 10, true), Token));
        Assert.Equal(HttpStatusCode.NotFound, notReadable.Status);
        Assert.Equal("branch/main", stash.SaveScope);
    }

    [Fact]
    public async Task ALeaseOfAnotherWorker_IsRefused()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var (_, otherToken) = await world.AddWorkerAsync("w2");
        var grant = await LeaseAsync(worker);

        using var connection = new WorkerConnection(new WorkerConnectionOptions(new Uri(world.Server.Url), otherToken));
        var stash = new RemoteJobStash(connection, grant.LeaseId, grant.Job.Id, "branch/main");
        var refused = await Assert.ThrowsAsync<WorkerCallException>(() => stash.ListNeededAsync(["a"], Token));
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        var upload = await Assert.ThrowsAsync<WorkerCallException>(() => stash.SaveArtifactsAsync(new MemoryStream(new byte[1024]), null, Token));
        Assert.Equal(HttpStatusCode.NotFound, upload.Status);
    }
}
