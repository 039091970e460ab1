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
    public async Task AWorkersArtifactsAndCaches_GoThroughItsLease_ToTheServersStore()
    {
        await using var world = await StartAsync();
        var (worker, token) = await world.AddWorkerAsync("w1");
        var runId = await world.QueueRunAsync();
        var grant = await LeaseAsync(worker);
        using var connection = new WorkerConnection(new WorkerConnectionOptions(new Uri(world.Server.Url), token));
        var stash = new RemoteJobStashes(connection).For(
            new JobLease(grant.Job.Id, grant.Run.Id, grant.LeaseId, grant.WorkerId, grant.Attempt, grant.ExpiresAt, grant.Job.ToRecord()), grant.Run.ToRecord());
        using var dir = new TempDirectory();
        var tarPath = dir.Combine("out.tar");
        await using (var file = File.Create(tarPath))
        await using (var writer = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "dist/out.txt")
            {
                DataStream = new MemoryStream("built by the worker"u8.ToArray()),
            }, Token);
        }

        await using (var upload = File.OpenRead(tarPath))
        {
            var summary = await stash.SaveArtifactsAsync(upload, TimeSpan.FromDays(1), Token);
            Assert.Equal((1, 19L), (summary.Files, summary.Bytes));
        }

        Assert.Equal("built by the worker", await world.Server.Client.GetStringAsync($"/api/v1/runs/{runId}/artifacts/a/files/dist/out.txt", Token));
        var set = Assert.Single(await stash.ListNeededAsync(["a"], Token));
        await using (var tar = await stash.OpenArtifactsAsync(set, Token))
        await using (var reader = new System.Formats.Tar.TarReader(tar))
        {
            Assert.Equal("dist/out.txt", (await reader.GetNextEntryAsync(cancellationToken: Token))?.Name);
        }

        Assert.Equal("branch/main", stash.SaveScope);
        await using (var cache = File.OpenRead(tarPath))
        {
            var saved = await stash.SaveCacheAsync("deps-1", cache, Token);
            Assert.Equal("branch/main", saved?.Scope);
        }

        var hit = await stash.FindCacheAsync("deps-2", ["deps-"], Token);
        Assert.NotNull(hit);
        Assert.Equal("deps-1", hit.Key);
        await using var restored = await stash.OpenCacheAsync(hit, Token);
        using var bytes = new MemoryStream();
        await restored.CopyToAsync(bytes, Token);
        Assert.Equal(await File.ReadAllBytesAsync(tarPath, Token), bytes.ToArray());
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
