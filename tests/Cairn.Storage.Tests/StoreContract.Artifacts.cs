using System.Diagnostics;
using Cairn.Core.Artifacts;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The index of artifact sets: one set per job (a later one queues the earlier's blob), files listed by prefix in
/// path order, expiry and run retention forgetting sets and queuing their blobs in the same transaction.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task ArtifactSet_RoundTrips_WithItsFiles()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "build", "test");
        var at = scope.Time.GetUtcNow();
        var files = new[]
        {
            new ArtifactFile("dist/app.js", 120, 512, 420, at.AddMinutes(-1)),
            new ArtifactFile("dist/link", 0, 1536, 511, at, "app.js"),
        };

        var id = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 1, "artifacts/a.tar", files.Length, 120), files, Token);

        var set = await scope.Store.GetArtifactSetAsync(id, Token);
        Assert.Equal((run.Id, jobs[0].Id, "build", 1, "acme/widgets", "artifacts/a.tar", 2, 120L), (set!.RunId, set.JobId, set.JobName, set.Attempt, set.Repository, set.Blob, set.Files, set.Bytes));
        Assert.Equal(at.AddDays(30).ToUnixTimeMilliseconds(), set.ExpiresAt.ToUnixTimeMilliseconds());
        var file = await scope.Store.GetArtifactFileAsync(id, "dist/app.js", Token);
        Assert.Equal(("dist/app.js", 120L, 512L, 420, (string?)null), (file!.Path, file.Size, file.Offset, file.Mode, file.LinkTarget));
        Assert.Equal(at.AddMinutes(-1).ToUnixTimeMilliseconds(), file.Modified.ToUnixTimeMilliseconds());
        Assert.Equal("app.js", (await scope.Store.GetArtifactFileAsync(id, "dist/link", Token))!.LinkTarget);
        Assert.Null(await scope.Store.GetArtifactFileAsync(id, "dist", Token));
        Assert.Null(await scope.Store.GetArtifactSetAsync(id + 1, Token));
        Assert.Equal([id], (await scope.Store.ListArtifactSetsAsync(run.Id, Token)).Select(s => s.Id));
    }

    [Fact]
    public async Task ArtifactSet_OfTheSameJob_ReplacesTheEarlier_AndQueuesItsBlob()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "build", "test");
        var first = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 1, "artifacts/first.tar", 1, 5), [File("a.txt")], Token);
        var other = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[1], 1, "artifacts/other.tar", 1, 5), [File("b.txt")], Token);
        Assert.Empty(await scope.Store.TakeBlobDeletionsAsync(10, Token));

        var second = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 2, "artifacts/second.tar", 1, 5), [File("c.txt")], Token);

        Assert.Null(await scope.Store.GetArtifactSetAsync(first, Token));
        Assert.Empty(await scope.Store.ListArtifactFilesAsync(first, "", 10, Token));
        Assert.Equal([(second, 2), (other, 1)], (await scope.Store.ListArtifactSetsAsync(run.Id, Token)).Select(s => (s.Id, s.Attempt)));
        Assert.Equal([jobs[0].Id, jobs[1].Id], (await scope.Store.ListArtifactSetsAsync(run.Id, Token)).Select(s => s.JobId));
        Assert.Equal(["artifacts/first.tar"], await scope.Store.TakeBlobDeletionsAsync(10, Token));
        Assert.Equal(["artifacts/first.tar"], await scope.Store.TakeBlobDeletionsAsync(10, Token));
        await scope.Store.ForgetBlobDeletionsAsync(["artifacts/first.tar"], Token);
        Assert.Empty(await scope.Store.TakeBlobDeletionsAsync(10, Token));
    }

    [Fact]
    public async Task ArtifactFiles_ListByPrefix_InPathOrder_AsARange()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "build");
        string[] paths = ["dist/a.js", "dist%/x", "dist_b/y", "dist/sub/b.js", "dist0", "distz", "docs/readme.md", "dist/é.txt", "dist/\U0001F600.txt"];
        var id = await scope.Store.AddArtifactSetAsync(
            NewSet(scope, run, jobs[0], 1, "artifacts/p.tar", paths.Length, 0), [.. paths.Select(File)], Token);

        async Task<string[]> ListAsync(string prefix, int limit = 100) =>
            [.. (await scope.Store.ListArtifactFilesAsync(id, prefix, limit, Token)).Select(f => f.Path)];

        Assert.Equal(["dist/a.js", "dist/sub/b.js", "dist/é.txt", "dist/\U0001F600.txt"], await ListAsync("dist/"));
        Assert.Equal(["dist%/x"], await ListAsync("dist%"));
        Assert.Equal(["dist_b/y"], await ListAsync("dist_"));
        Assert.Equal(["dist/sub/b.js"], await ListAsync("dist/sub/"));
        Assert.Equal(["dist/a.js", "dist/sub/b.js"], await ListAsync("dist/", 2));
        Assert.Equal(9, (await ListAsync("")).Length);
        Assert.Equal(["dist%/x", "dist/a.js", "dist/sub/b.js"], await ListAsync("", 3));
        Assert.Empty(await ListAsync("nothing/"));
    }

    [Fact]
    public async Task ArtifactSet_OfTenThousandFiles_RoundTrips()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "build");
        var at = scope.Time.GetUtcNow();
        var files = Enumerable.Range(0, 10_000)
            .Select(i => new ArtifactFile($"out/{i:D5}.bin", i, (long)i * 1024, 420, at.AddSeconds(-i), i % 100 == 0 ? "target" : null))
            .ToList();

        var watch = Stopwatch.StartNew();
        var id = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 1, "artifacts/big.tar", files.Count, 1), files, Token);
        TestContext.Current.SendDiagnosticMessage($"10,000 files recorded in {watch.ElapsedMilliseconds} ms");

        var listed = await scope.Store.ListArtifactFilesAsync(id, "", 20_000, Token);
        Assert.Equal(files.Count, listed.Count);
        Assert.Equal(files[9_999].Path, listed[^1].Path);
        Assert.Equal((9_999L, 9_999L * 1024), (listed[^1].Size, listed[^1].Offset));
        Assert.Equal("target", listed[100].LinkTarget);
        Assert.Null(listed[101].LinkTarget);
        Assert.Equal(at.AddSeconds(-5000).ToUnixTimeMilliseconds(), listed[5000].Modified.ToUnixTimeMilliseconds());
        Assert.Equal(["out/00042.bin"], (await scope.Store.ListArtifactFilesAsync(id, "out/00042", 10, Token)).Select(f => f.Path));
    }

    [Fact]
    public async Task ExpireArtifactSets_ForgetsTheOldestExpiredFirst_InBatches_AndQueuesTheirBlobs()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "a", "b", "c");
        var now = scope.Time.GetUtcNow();
        await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 1, "artifacts/a.tar", 1, 10) with { ExpiresAt = now.AddDays(2) }, [File("a")], Token);
        await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[1], 1, "artifacts/b.tar", 1, 20) with { ExpiresAt = now.AddDays(1) }, [File("b")], Token);
        var kept = await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[2], 1, "artifacts/c.tar", 1, 40) with { ExpiresAt = now.AddDays(9) }, [File("c")], Token);
        Assert.Equal(70, await scope.Store.RepositoryArtifactBytesAsync("ACME/widgets", Token));

        scope.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal([kept], (await scope.Store.ListArtifactSetsAsync(run.Id, Token)).Select(s => s.Id));
        Assert.Equal(40, await scope.Store.RepositoryArtifactBytesAsync("acme/widgets", Token));
        Assert.Equal(1, await scope.Store.ExpireArtifactSetsAsync(scope.Time.GetUtcNow(), 1, Token));
        Assert.Equal(["artifacts/b.tar"], await scope.Store.TakeBlobDeletionsAsync(10, Token));
        Assert.Equal(1, await scope.Store.ExpireArtifactSetsAsync(scope.Time.GetUtcNow(), 10, Token));
        Assert.Equal(0, await scope.Store.ExpireArtifactSetsAsync(scope.Time.GetUtcNow(), 10, Token));

        Assert.Equal(["artifacts/a.tar", "artifacts/b.tar"], (await scope.Store.TakeBlobDeletionsAsync(10, Token)).Order());
        Assert.NotNull(await scope.Store.GetArtifactSetAsync(kept, Token));
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM artifact_files"));
        Assert.Equal(0, await scope.Store.RepositoryArtifactBytesAsync("acme/gadgets", Token));
    }

    [Fact]
    public async Task DeleteRunsFinishedBefore_RemovesTheRunsArtifactSets_AndQueuesTheirBlobs()
    {
        await using var scope = await OpenAsync();
        var (run, jobs) = await RunWithJobsAsync(scope, "build");
        await scope.Store.AddArtifactSetAsync(NewSet(scope, run, jobs[0], 1, "artifacts/old.tar", 2, 10), [File("a"), File("b")], Token);
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Cancelled, now, Token));
        scope.Time.Advance(TimeSpan.FromDays(10));
        var (newer, newerJobs) = await RunWithJobsAsync(scope, "newest");
        var kept = await scope.Store.AddArtifactSetAsync(NewSet(scope, newer, newerJobs[0], 1, "artifacts/new.tar", 1, 10), [File("c")], Token);

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token));

        Assert.Empty(await scope.Store.ListArtifactSetsAsync(run.Id, Token));
        Assert.Equal(["artifacts/old.tar"], await scope.Store.TakeBlobDeletionsAsync(10, Token));
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM artifact_sets"));
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM artifact_files"));
        Assert.NotNull(await scope.Store.GetArtifactSetAsync(kept, Token));
    }

    private static async Task<(RunRecord Run, IReadOnlyList<JobRecord> Jobs)> RunWithJobsAsync(StoreScope scope, params string[] names)
    {
        var run = await scope.CreateRunAsync([.. names.Select(n => Job(n))]);
        return (run, await scope.Store.GetJobsAsync(run.Id, Token));
    }

    private static NewArtifactSet NewSet(StoreScope scope, RunRecord run, JobRecord job, int attempt, string blob, int files, long bytes)
    {
        var at = scope.Time.GetUtcNow();
        return new NewArtifactSet(run.Id, job.Id, job.Name, attempt, run.Repository, blob, files, bytes, at, at.AddDays(30));
    }

    private static ArtifactFile File(string path) => new(path, 1, 512, 420, DateTimeOffset.UnixEpoch);
}
