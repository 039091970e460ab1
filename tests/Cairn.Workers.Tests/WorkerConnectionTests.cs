using System.Net;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Workers.Tests;

public sealed class WorkerConnectionTests
{
    private static WorkerConnection Connect(LoopbackServer server, LineLog log, TimeSpan? callTimeout = null) =>
        new(new WorkerConnectionOptions(server.Url, "cairnw_secret-token")
        {
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(10),
            FirstDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(200),
            Version = "9.9.9",
            Log = log,
        });

    private static Task<(HttpStatusCode Status, LogAck? Value)> PostLogAsync(WorkerConnection connection, TimeSpan? giveUpAfter = null) =>
        connection.CallAsync(
            "log of job 12",
            HttpMethod.Post,
            WorkerPaths.Log(Guid.Empty),
            WorkerConnection.Json(new LogBatch(1, []), WorkerProtocolJson.Default.LogBatch),
            WorkerProtocolJson.Default.LogAck,
            TimeSpan.Zero,
            giveUpAfter,
            TestContext.Current.CancellationToken);

    private static IResult Problem(int status, string detail, string? type = null) =>
        Results.Problem(detail: detail, statusCode: status, type: type);

    [Fact]
    public async Task Call_RetriesA503_ThenTakesTheAnswer_SayingEachFailedTry()
    {
        var tries = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", () =>
            Interlocked.Increment(ref tries) <= 2 ? Problem(503, "the store is restarting") : Results.Json(new LogAck(7), WorkerProtocolJson.Default.LogAck)));
        var log = new LineLog();
        using var connection = Connect(server, log);

        var (status, ack) = await PostLogAsync(connection);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(7, ack!.Stored);
        Assert.Equal(3, tries);
        Assert.Equal(2, log.Lines.Count);
        Assert.All(log.Lines, line => Assert.Matches(@"^cairn worker: log of job 12 failed \(http_status 503: the store is restarting\); retrying in \d+\.\d s$", line));
    }

    [Fact]
    public async Task Call_RetriesADroppedConnection_AsANetworkFailure()
    {
        var tries = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", (HttpContext context) =>
        {
            if (Interlocked.Increment(ref tries) == 1)
            {
                context.Abort();
                return Results.Empty;
            }

            return Results.Json(new LogAck(3), WorkerProtocolJson.Default.LogAck);
        }));
        var log = new LineLog();
        using var connection = Connect(server, log);

        var (_, ack) = await PostLogAsync(connection);

        Assert.Equal(3, ack!.Stored);
        Assert.StartsWith("cairn worker: log of job 12 failed (network: ", Assert.Single(log.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_GivesUpOnAStalledAnswer_AsATimeout_AndTriesAgain()
    {
        var tries = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref tries) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }

            return Results.Json(new LogAck(5), WorkerProtocolJson.Default.LogAck);
        }));
        var log = new LineLog();
        using var connection = Connect(server, log, callTimeout: TimeSpan.FromMilliseconds(300));

        var (_, ack) = await PostLogAsync(connection);

        Assert.Equal(5, ack!.Stored);
        Assert.Contains("(timeout: no answer within 0.3 s); retrying in", Assert.Single(log.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_FailsAt400AtOnce_WithTheServersDetail()
    {
        var tries = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", () =>
        {
            Interlocked.Increment(ref tries);
            return Problem(400, "a batch needs its first line's number");
        }));
        var log = new LineLog();
        using var connection = Connect(server, log);

        var failure = await Assert.ThrowsAsync<WorkerCallException>(() => PostLogAsync(connection));

        Assert.Equal(WorkerCallClass.HttpStatus, failure.Class);
        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
        Assert.Contains("a batch needs its first line's number", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, tries);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public async Task Call_At401_ThrowsTheRefusal_AndMarksTheProcessRefused()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", () => Results.Unauthorized()));
        using var connection = Connect(server, new LineLog());

        await Assert.ThrowsAsync<WorkerTokenRefusedException>(() => PostLogAsync(connection));

        Assert.True(connection.Refused.IsCancellationRequested);
    }

    [Fact]
    public async Task Call_At409LeaseLost_ThrowsLeaseLost()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", () =>
            Problem(409, "the lease passed to another worker", WorkerProblems.LeaseLost)));
        using var connection = Connect(server, new LineLog());

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => PostLogAsync(connection));

        Assert.Contains("the lease passed to another worker", lost.Message, StringComparison.Ordinal);
        Assert.False(connection.Refused.IsCancellationRequested);
    }

    [Fact]
    public async Task Call_At429_WaitsAsLongAsRetryAfterSays()
    {
        var tries = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", (HttpContext context) =>
        {
            if (Interlocked.Increment(ref tries) == 1)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(429);
            }

            return Results.Json(new LogAck(1), WorkerProtocolJson.Default.LogAck);
        }));
        var log = new LineLog();
        using var connection = Connect(server, log);

        await PostLogAsync(connection);

        Assert.EndsWith("(http_status 429: Too Many Requests); retrying in 1.0 s", Assert.Single(log.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_GivesUp_WhenItsTimeIsOver_WithTheLastFailure()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", () => Problem(502, "no upstream")));
        using var connection = Connect(server, new LineLog());

        var failure = await Assert.ThrowsAsync<WorkerCallException>(() => PostLogAsync(connection, giveUpAfter: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(HttpStatusCode.BadGateway, failure.Status);
    }

    [Fact]
    public async Task Call_SendsTheBearerToken_AndTheWorkersVersion()
    {
        string? authorization = null, version = null;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/api/v1/worker/leases/{id}/log", (HttpContext context) =>
        {
            authorization = context.Request.Headers.Authorization;
            version = context.Request.Headers[WorkerPaths.VersionHeader];
            return Results.Json(new LogAck(1), WorkerProtocolJson.Default.LogAck);
        }));
        using var connection = Connect(server, new LineLog());

        await PostLogAsync(connection);

        Assert.Equal("Bearer cairnw_secret-token", authorization);
        Assert.Equal("9.9.9", version);
    }
}
