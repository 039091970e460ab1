using Cairn.Core.Artifacts;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Workers.Tests;

/// <summary>A remote stash's transfers on a loopback server: an upload cut by a failure is sent again whole from the
/// file's start, a refusal is the server's sentence, and a download reaches the caller as it was sent.</summary>
public sealed class RemoteJobStashTests
{
    private static readonly Guid Lease = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    private static WorkerConnection Connect(LoopbackServer server) =>
        new(new WorkerConnectionOptions(server.Url, "cairnw_secret-token")
        {
            CallTimeout = TimeSpan.FromSeconds(10),
            FirstDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(200),
        });

    [Fact]
    public async Task Upload_FailingOnce_IsSentAgainWholeFromTheFilesStart()
    {
        var bodies = new List<byte[]>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapPut("/api/v1/worker/leases/{id}/artifacts", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            lock (bodies)
            {
                bodies.Add(body.ToArray());
                if (bodies.Count == 1)
                {
                    return Results.Problem("busy", statusCode: 503);
                }
            }

            return Results.Json(new ArtifactSummary(3, body.Length, DateTimeOffset.UnixEpoch), WorkerArtifactJson.Default.ArtifactSummary);
        }));
        using var connection = Connect(server);
        var stash = new RemoteJobStash(connection, Lease, 12, "branch/main");
        using var dir = new TempDirectory();
        var content = Enumerable.Range(0, 300_000).Select(i => (byte)(i % 251)).ToArray();
        await File.WriteAllBytesAsync(dir.Combine("artifacts.tar"), content, TestContext.Current.CancellationToken);
        await using var file = File.OpenRead(dir.Combine("artifacts.tar"));

        var summary = await stash.SaveArtifactsAsync(file, TimeSpan.FromDays(2), TestContext.Current.CancellationToken);

        Assert.Equal(content.Length, summary.Bytes);
        Assert.Equal(2, bodies.Count);
        Assert.Equal(content, bodies[1]);
    }

    [Fact]
    public async Task Refusal_IsTheServersSentence()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPut("/api/v1/worker/leases/{id}/artifacts", () =>
            Results.Problem("artifacts of 5 GiB pass the job's limit of 4 GiB", statusCode: 422, type: WorkerArtifactPaths.Refused)));
        using var connection = Connect(server);
        var stash = new RemoteJobStash(connection, Lease, 12, null);

        var refused = await Assert.ThrowsAsync<ArtifactRefusedException>(() =>
            stash.SaveArtifactsAsync(new MemoryStream(new byte[1024]), null, TestContext.Current.CancellationToken));
        Assert.Equal("artifacts of 5 GiB pass the job's limit of 4 GiB", refused.Message);
        Assert.Null(await stash.SaveCacheAsync("k", new MemoryStream(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Download_StreamsTheSetsTar()
    {
        var content = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 13)).ToArray();
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/api/v1/worker/leases/{id}/artifacts/sets/{set}", async (HttpContext context) =>
        {
            context.Response.ContentType = WorkerArtifactPaths.TarType;
            await context.Response.Body.WriteAsync(content);
        }));
        using var connection = Connect(server);
        var stash = new RemoteJobStash(connection, Lease, 12, null);

        await using var tar = await stash.OpenArtifactsAsync(new ArtifactSet(7, "build", 1, content.Length), TestContext.Current.CancellationToken);
        using var read = new MemoryStream();
        await tar.CopyToAsync(read, TestContext.Current.CancellationToken);
        Assert.Equal(content, read.ToArray());
    }
}
