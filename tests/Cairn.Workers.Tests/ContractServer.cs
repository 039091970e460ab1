using System.Collections.Concurrent;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Workers.Tests;

/// <summary>A loopback server that speaks the worker protocol for one job: it leases it once, then has none; it keeps
/// what the worker sends.</summary>
internal sealed class ContractServer : IAsyncDisposable
{
    public const string Secret = "s3cr3t-value-for-the-job";

    private LoopbackServer? _server;
    private int _leased;

    public ContractServer(LeaseGrant grant) => Grant = grant;

    public LeaseGrant Grant { get; }

    public Uri Url => _server!.Url;

    public ConcurrentQueue<LeaseRequest> LeaseRequests { get; } = new();

    public ConcurrentQueue<LogBatch> Batches { get; } = new();

    public ConcurrentQueue<StepReport> Steps { get; } = new();

    public ConcurrentQueue<CompletionReport> Completions { get; } = new();

    /// <summary>How many log lines the server had stored when the outcome came.</summary>
    public int LinesAtCompletion { get; private set; } = -1;

    public int SecretCalls;

    /// <summary>The lines the server keeps, as the real one does: a line whose number it has already is skipped.</summary>
    public List<(long Number, string Text)> Stored { get; } = [];

    /// <summary>How the n-th log call (from 1) fares: <c>ok</c>, <c>503</c>, or <c>lost</c> (stored, then the
    /// connection dropped before the answer).</summary>
    public Func<int, string> LogFault { get; set; } = _ => "ok";

    private int _logCalls;

    /// <summary>The waiting reasons received, in order, with the lease they named.</summary>
    public ConcurrentQueue<(Guid Lease, string? Reason)> Waiting { get; } = new();

    /// <summary>How the n-th waiting call (from 1) fares: <c>ok</c>, <c>503</c> or <c>lost</c> (the lease has ended: 409).</summary>
    public Func<int, string> WaitingFault { get; set; } = _ => "ok";

    private int _waitingCalls;

    /// <summary>The lease ids the server says live; the liveness requests received.</summary>
    public HashSet<Guid> Live { get; } = [];

    public ConcurrentQueue<LiveLeasesRequest> LiveRequests { get; } = new();

    /// <summary>When set, what every lease request is answered instead of the grant.</summary>
    public Func<IResult>? LeaseAnswer { get; set; }

    /// <summary>What a heartbeat answers (the default: held).</summary>
    public Func<IResult> Heartbeat { get; set; } = () => Results.Json(new HeartbeatAnswer(LeaseState.Held, DateTimeOffset.UtcNow.AddMinutes(1), null), WorkerProtocolJson.Default.HeartbeatAnswer);

    public static LeaseGrant NewGrant(int attempt = 1, long lastSequence = 0, string? sourcePath = null, params string[] secrets) =>
        NewGrant("echo hi", attempt, lastSequence, sourcePath, secrets);

    public static LeaseGrant NewGrant(string script, int attempt, long lastSequence, string? sourcePath, IReadOnlyList<string> secrets)
    {
        var definition = new JobDefinitionJson(
            "build", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(), null, null, null, null,
            secrets, null, [new StepJson("echo", script, new Dictionary<string, string>(), null, null)]);
        var job = new WireJob(12, 7, "build", "build", [], [], JobStatus.Running, attempt, definition.Serialize());
        var run = new WireRun(7, 3, "ci", "push", "refs/heads/main", "0123456789abcdef0123456789abcdef01234567", "acme/app", RunStatus.Running, DateTimeOffset.UnixEpoch, false, null, null);
        return new LeaseGrant(Guid.NewGuid(), "builder-1", attempt, DateTimeOffset.UtcNow.AddMinutes(1), job, run, lastSequence, "source-token-abc", sourcePath, 10);
    }

    public async Task<ContractServer> StartAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost(WorkerPaths.Lease, async (HttpContext context) =>
            {
                var request = await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.LeaseRequest);
                LeaseRequests.Enqueue(request!);
                if (LeaseAnswer is { } answer)
                {
                    return answer();
                }

                if (Interlocked.Exchange(ref _leased, 1) == 0)
                {
                    return Results.Json(Grant, WorkerProtocolJson.Default.LeaseGrant);
                }

                // A long poll that found nothing.
                await Task.Delay(50, context.RequestAborted);
                return Results.NoContent();
            });
            app.MapPost(WorkerPaths.LiveLeases, async (HttpContext context) =>
            {
                var request = (await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.LiveLeasesRequest))!;
                LiveRequests.Enqueue(request);
                return Results.Json(new LiveLeasesAnswer([.. request.LeaseIds.Where(Live.Contains)]), WorkerProtocolJson.Default.LiveLeasesAnswer);
            });
            var lease = app.MapGroup("/api/v1/worker/leases/{id:guid}");
            lease.MapPost("/waiting", async (Guid id, HttpContext context) =>
            {
                switch (WaitingFault(Interlocked.Increment(ref _waitingCalls)))
                {
                    case "503":
                        return Results.Problem(detail: "restarting", statusCode: 503);
                    case "lost":
                        return Results.Problem(detail: "the lease has ended", statusCode: 409, type: WorkerProblems.LeaseLost);
                }

                Waiting.Enqueue((id, (await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.WaitingReport))!.Reason));
                return Results.NoContent();
            });
            lease.MapPost("/heartbeat", () => Heartbeat());
            lease.MapGet("/cancel", async (HttpContext context) =>
            {
                await Task.Delay(100, context.RequestAborted);
                return Results.Json(new HeartbeatAnswer(LeaseState.Held, null, null), WorkerProtocolJson.Default.HeartbeatAnswer);
            });
            lease.MapPost("/log", async (HttpContext context) =>
            {
                var fault = LogFault(Interlocked.Increment(ref _logCalls));
                if (fault == "503")
                {
                    return Results.Problem(detail: "restarting", statusCode: 503);
                }

                var batch = await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.LogBatch);
                Batches.Enqueue(batch!);
                lock (Stored)
                {
                    var have = Stored.Count == 0 ? 0 : Stored[^1].Number;
                    Stored.AddRange(batch!.Lines.Select((l, i) => (batch.First + i, l.Text)).Where(l => l.Item1 > have));
                }

                if (fault == "lost")
                {
                    context.Abort();
                    return Results.Empty;
                }

                return Results.Json(new LogAck(batch!.First + batch.Lines.Count - 1), WorkerProtocolJson.Default.LogAck);
            });
            lease.MapPost("/steps", async (HttpContext context) =>
            {
                Steps.Enqueue((await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.StepReport))!);
                return Results.NoContent();
            });
            lease.MapPost("/secrets", () =>
            {
                Interlocked.Increment(ref SecretCalls);
                return Results.Json(new SecretGrant(new Dictionary<string, string> { ["TOKEN"] = Secret }, null), WorkerProtocolJson.Default.SecretGrant);
            });
            lease.MapPost("/complete", async (HttpContext context) =>
            {
                lock (Stored)
                {
                    LinesAtCompletion = Stored.Count;
                }

                Completions.Enqueue((await context.Request.ReadFromJsonAsync(WorkerProtocolJson.Default.CompletionReport))!);
                return Results.Json(new CompletionAnswer(true), WorkerProtocolJson.Default.CompletionAnswer);
            });
        });
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
