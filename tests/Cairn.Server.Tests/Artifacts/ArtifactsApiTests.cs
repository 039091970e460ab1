using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cairn.Core.Access;
using Cairn.Core.Secrets;
using Cairn.Server.Tests.Authorization;

namespace Cairn.Server.Tests.Artifacts;

/// <summary>The artifacts API on a real server and store: what a run's jobs kept, a folder, a file with and without a
/// range, a job's zip; every file served inert and audited; and only to those who may read the run.</summary>
public sealed class ArtifactsApiTests(AccessWorld world) : IClassFixture<AccessWorld>, IAsyncLifetime
{
    private const string Page = "<html><body><script>document.title='ran'</script>hello</body></html>";
    private const string Content = "0123456789abcdefghij";

    private long run;

    public async ValueTask InitializeAsync()
    {
        var (runId, jobId) = world.Runs[AccessWorld.App];
        run = runId;
        var index = (Core.Artifacts.IArtifactIndex)world.Server.Services.GetService(typeof(Core.Artifacts.IArtifactIndex))!;
        if ((await index.ListArtifactSetsAsync(run, CancellationToken.None)).Count == 0)
        {
            await ArtifactSeed.KeepAsync(world.Server.Services, run, jobId, "a", AccessWorld.App,
            [
                new("dist/app", Content),
                new("dist/l", Link: "app"),
                new("dist/sub/deep.txt", "deep"),
                new("readme.txt", "read me"),
                new("report.html", Page),
            ]);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Listing_NamesEachJobsFilesSizesAndExpiry()
    {
        using var json = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{run}/artifacts", TestContext.Current.CancellationToken));
        Assert.Equal(run, json.RootElement.GetProperty("runId").GetInt64());
        var job = Assert.Single(json.RootElement.GetProperty("artifacts").EnumerateArray());
        Assert.Equal("a", job.GetProperty("job").GetString());
        Assert.Equal(world.Runs[AccessWorld.App].Job, job.GetProperty("jobId").GetInt64());
        Assert.Equal(5, job.GetProperty("fileCount").GetInt32());
        Assert.False(job.GetProperty("truncated").GetBoolean());
        Assert.True(job.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal(
            ["dist/app", "dist/l", "dist/sub/deep.txt", "readme.txt", "report.html"],
            job.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(Content.Length, job.GetProperty("files")[0].GetProperty("size").GetInt64());

        using var other = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{run}/artifacts?job=nope", TestContext.Current.CancellationToken));
        Assert.Empty(other.RootElement.GetProperty("artifacts").EnumerateArray());
    }

    [Fact]
    public async Task FolderListing_IsOneLevel_FoldersFirst()
    {
        using var root = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{run}/artifacts/a/files", TestContext.Current.CancellationToken));
        Assert.Equal("", root.RootElement.GetProperty("path").GetString());
        Assert.Equal(
            ["dist/:directory", "readme.txt:file", "report.html:file"],
            root.RootElement.GetProperty("entries").EnumerateArray().Select(e => $"{e.GetProperty("path").GetString()}:{e.GetProperty("kind").GetString()}"));

        using var dist = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{run}/artifacts/a/files?path=dist", TestContext.Current.CancellationToken));
        var entries = dist.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["sub", "app", "l"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("dist/sub/", entries[0].GetProperty("path").GetString());
        Assert.Equal(Content.Length, entries[1].GetProperty("size").GetInt64());
        Assert.Equal("link", entries[2].GetProperty("kind").GetString());
        Assert.Equal("app", entries[2].GetProperty("target").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files?path=nothing/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/nope/files", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files?path=../x", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task OneFile_IsServedWholeInertAndAudited()
    {
        var response = await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files/dist/app", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Content, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Content.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", string.Join(",", response.Headers.AcceptRanges));
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'", Header(response, "Content-Security-Policy"));
        Assert.Equal("inline; filename*=UTF-8''app", Header(response, "Content-Disposition"));

        var download = await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files/dist/app?download=1", TestContext.Current.CancellationToken);
        Assert.StartsWith("attachment;", Header(download, "Content-Disposition"), StringComparison.Ordinal);

        var audit = await world.Service<IAuditLog>().ListAuditAsync(new AuditQuery(Action: AuditActions.ArtifactDownload, Limit: 100), TestContext.Current.CancellationToken);
        var entry = audit.First(e => e.Target == "dist/app" && e.Detail == "job a" && e.TokenName == "admin token");
        Assert.Equal(run, entry.RunId);
        Assert.Equal(world.Runs[AccessWorld.App].Job, entry.JobId);
        Assert.Equal(AccessWorld.App, entry.Repository);
    }

    [Fact]
    public async Task Range_IsServedAs206_AndOutsideTheFileAs416()
    {
        using var partial = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{run}/artifacts/a/files/dist/app");
        partial.Headers.Range = new RangeHeaderValue(2, 5);
        var response = await world.Server.Client.SendAsync(partial, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 2-5/{Content.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(Content[2..6], await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var suffix = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{run}/artifacts/a/files/dist/app");
        suffix.Headers.Range = new RangeHeaderValue(null, 3);
        Assert.Equal(Content[^3..], await (await world.Server.Client.SendAsync(suffix, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var outside = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{run}/artifacts/a/files/dist/app");
        outside.Headers.Range = new RangeHeaderValue(1000, null);
        var refused = await world.Server.Client.SendAsync(outside, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
        Assert.Equal($"bytes */{Content.Length}", refused.Content.Headers.ContentRange?.ToString());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HtmlArtifact_IsServedUnderTheSandbox()
    {
        var response = await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files/report.html", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("sandbox;", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));

        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files/missing.txt", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a/files/dist/l", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Zip_HoldsEveryFileInPathOrder()
    {
        var response = await world.Server.Client.GetAsync($"/api/v1/runs/{run}/artifacts/a.zip", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"attachment; filename=\"{run}-a.zip\"", Header(response, "Content-Disposition"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));

        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(["dist/app", "dist/l", "dist/sub/deep.txt", "readme.txt", "report.html"], zip.Entries.Select(e => e.FullName));
        Assert.Equal(Content, await new StreamReader(await zip.GetEntry("dist/app")!.OpenAsync(TestContext.Current.CancellationToken)).ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Page, await new StreamReader(await zip.GetEntry("report.html")!.OpenAsync(TestContext.Current.CancellationToken)).ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0xA000, (zip.GetEntry("dist/l")!.ExternalAttributes >> 16) & 0xF000);

        var audit = await world.Service<IAuditLog>().ListAuditAsync(new AuditQuery(Action: AuditActions.ArtifactDownload, Limit: 100), TestContext.Current.CancellationToken);
        Assert.Contains(audit, e => e.Target == "*" && e.RunId == run);
    }

    [Fact]
    public async Task AReaderOfAnotherRepository_FindsNothing()
    {
        using var outsider = world.Client(world.Caller("no role"));
        foreach (var path in new[] { "", "/a/files", "/a/files/dist/app", "/a.zip" })
        {
            var response = await outsider.GetAsync($"/api/v1/runs/{run}/artifacts{path}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(Content, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var maintainer = world.Client(world.Caller("maintainer of acme/app"));
        Assert.Equal(Content, await maintainer.GetStringAsync($"/api/v1/runs/{run}/artifacts/a/files/dist/app", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync("/api/v1/runs/999999/artifacts", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task RetentionSweep_ForgetsExpiredSets_AndDeletesTheirBlobs()
    {
        var (deepRun, deepJob) = world.Runs[AccessWorld.Deep];
        var services = world.Server.Services;
        var index = world.Service<Core.Artifacts.IArtifactIndex>();
        var blobs = world.Service<Core.Artifacts.IBlobStore>();
        var id = await ArtifactSeed.KeepAsync(services, deepRun, deepJob, "a", AccessWorld.Deep, [new("old.txt", "old")], DateTimeOffset.UtcNow.AddMinutes(-1));
        var set = await index.GetArtifactSetAsync(id, TestContext.Current.CancellationToken);
        Assert.NotNull(set);
        await using (var before = await blobs.OpenReadAsync(set.Blob, 0, null, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(before);
        }

        var result = await world.Service<Services.ArtifactSweep>().SweepAsync(TestContext.Current.CancellationToken);
        Assert.True(result.Expired >= 1 && result.Deleted >= 1, result.ToString());
        Assert.Null(await index.GetArtifactSetAsync(id, TestContext.Current.CancellationToken));
        Assert.Null(await blobs.OpenReadAsync(set.Blob, 0, null, TestContext.Current.CancellationToken));
        Assert.NotEmpty(await index.ListArtifactSetsAsync(run, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, (await world.Server.Client.GetAsync($"/api/v1/runs/{deepRun}/artifacts/a/files/old.txt", TestContext.Current.CancellationToken)).StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";
}
