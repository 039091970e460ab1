using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Http;

namespace Cairn.Workers.Tests;

public sealed class RemoteJobQueueTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LineLog _log = new();

    public void Dispose() => _dir.Dispose();

    private (WorkerConnection Connection, RemoteLeases Leases, RemoteJobQueue Queue) Connect(ContractServer server)
    {
        var connection = new WorkerConnection(new WorkerConnectionOptions(server.Url, "cairnw_token")
        {
            FirstDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(200),
            Log = _log,
        });
        var leases = new RemoteLeases();
        var options = new RemoteQueueOptions(RemoteQueueOptions.NewInstance(), _dir.Combine("spool"), new SpoolBudget())
        {
            LeaseWait = TimeSpan.FromSeconds(1),
            SpoolPause = TimeSpan.FromMilliseconds(10),
        };
        return (connection, leases, new RemoteJobQueue(connection, leases, options, _log));
    }

    [Fact]
    public async Task AJob_RunsThroughTheEngine_OverHttp_WithItsLogSecretsAndOutcome()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant(attempt: 2, lastSequence: 40, sourcePath: null, "TOKEN")).StartAsync();
        var (connection, leases, queue) = Connect(server);
        using var _ = connection;
        var services = new JobWorkerContext(
            queue,
            new RemoteAttemptStore(leases),
            new ServerAdvancesRuns(),
            new SingleExecutorResolver(new EchoExecutor()),
            new RemoteSourceWorkspace(_dir.Combine("workspaces"), connection, leases),
            new RemoteSecretSource(connection, leases),
            NullRunObserver.Instance,
            new RetryPolicy(),
            TimeProvider.System);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var worker = new JobWorker(services, new WorkerOptions("slot-3", ["linux"]) { Heartbeat = TimeSpan.FromMilliseconds(200) });

        var running = worker.RunAsync(stop.Token, CancellationToken.None);
        await Eventually.TrueAsync(() => !server.Completions.IsEmpty, "the outcome to reach the server", cancellationToken: TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;

        var completion = Assert.Single(server.Completions);
        Assert.Equal(JobStatus.Succeeded, completion.Status);
        var lines = server.Batches.SelectMany(b => b.Lines.Select((l, i) => (Number: b.First + i, l.Text))).ToList();
        Assert.Equal(Enumerable.Range(41, lines.Count).Select(n => (long)n), lines.Select(l => l.Number));
        Assert.Equal(lines.Count, server.LinesAtCompletion);
        Assert.Contains(lines, l => l.Text == "this is attempt 2 of the job");
        Assert.Contains(lines, l => l.Text == "the token is ***");
        Assert.DoesNotContain(lines, l => l.Text.Contains(ContractServer.Secret, StringComparison.Ordinal));
        Assert.Equal([StepStatus.Running, StepStatus.Succeeded], server.Steps.Select(s => s.Status));
        Assert.Equal(1, server.SecretCalls);
        var request = server.LeaseRequests.First();
        Assert.Equal(3, request.Slot);
        Assert.Equal(12, request.Instance.Length);
        Assert.Equal(["linux"], request.Labels);
        Assert.Equal(0, leases.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("workspaces")));
    }

    [Fact]
    public async Task ALog_SentThroughFailuresAndLostAnswers_IsStoredWholeAndOnce_BeforeTheOutcome()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.LogFault = call => (call % 5) switch { 1 => "503", 3 => "lost", _ => "ok" };
        var (connection, leases, queue) = Connect(server);
        using var _ = connection;
        var lease = (await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken))!;
        var store = new RemoteAttemptStore(leases);

        for (var first = 1; first <= 100; first += 4)
        {
            var lines = Enumerable.Range(first, 4).Select(n => new StoredLogLine(n, 0, LogStream.Stdout, DateTimeOffset.UnixEpoch, $"line {n}")).ToList();
            await store.AppendLogAsync(lease.JobId, lines, TestContext.Current.CancellationToken);
        }

        var written = await queue.CompleteAsync(
            lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        Assert.True(written);
        Assert.Equal(Enumerable.Range(1, 100).Select(n => ((long)n, $"line {n}")), server.Stored);
        Assert.Equal(100, server.LinesAtCompletion);
        Assert.True(server.Batches.Count > 25, "some batches were sent again after their answer was lost");
        Assert.All(server.Batches, b => Assert.Equal($"line {b.First}", b.Lines[0].Text));
    }

    [Fact]
    public async Task CompleteAndLease_OnlyCompletes_LeavingTheNextLeaseToItsOwnLongPoll()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        var (connection, _, queue) = Connect(server);
        using var _c = connection;
        var lease = (await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken))!;
        var now = DateTimeOffset.UtcNow;

        var (completed, next) = await queue.CompleteAndLeaseAsync(
            lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), "slot-1", [], TestContext.Current.CancellationToken);

        Assert.True(completed);
        Assert.Null(next);
        Assert.Equal(JobStatus.Succeeded, Assert.Single(server.Completions).Status);
        Assert.Single(server.LeaseRequests);
    }

    [Fact]
    public async Task Lease_IsNull_WhenTheServerHasNoJob()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        var (connection, _, queue) = Connect(server);
        using var _c = connection;

        Assert.NotNull(await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken));
        Assert.Null(await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Heartbeat_FindsTheLeaseLost_AndDropsItsSpool()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.Heartbeat = () => Results.Problem(detail: "the lease passed to another worker", statusCode: 409, type: WorkerProblems.LeaseLost);
        var (connection, leases, queue) = Connect(server);
        using var _ = connection;
        var lease = (await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken))!;

        Assert.Equal(LeaseState.Lost, await queue.ExtendAsync(lease, TestContext.Current.CancellationToken));
        Assert.True(leases.ForJob(lease.JobId)!.Spool.Lost);
        Assert.False(await queue.CompleteAsync(
            lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));
        Assert.Empty(server.Completions);
    }

    [Fact]
    public async Task Heartbeat_At404_FindsTheLeaseLost()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.Heartbeat = () => Results.Problem(detail: "no such lease", statusCode: 404);
        var (connection, _, queue) = Connect(server);
        using var _c = connection;
        var lease = (await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken))!;

        Assert.Equal(LeaseState.Lost, await queue.ExtendAsync(lease, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Lease_WhilePaused_TakesNothing_AndSaysSoOnce()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.LeaseAnswer = () => Results.Problem(detail: "this worker is paused", statusCode: 403, type: WorkerProblems.Paused);
        var (connection, _, queue) = Connect(server);
        using var _c = connection;

        Assert.Null(await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken));
        Assert.Null(await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken));

        Assert.Equal(["cairn worker: the server has paused this worker: it takes no new jobs until it is resumed"], _log.Lines);
    }

    [Fact]
    public async Task Heartbeat_KeepsTheCancelReason_ForTheRun()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.Heartbeat = () => Results.Json(
            new HeartbeatAnswer(LeaseState.CancelRequested, DateTimeOffset.UtcNow.AddMinutes(1), "cancelled by ada"), WorkerProtocolJson.Default.HeartbeatAnswer);
        var (connection, leases, queue) = Connect(server);
        using var _ = connection;
        var lease = (await queue.TryLeaseAsync("slot-1", [], TestContext.Current.CancellationToken))!;

        Assert.Equal(LeaseState.CancelRequested, await queue.ExtendAsync(lease, TestContext.Current.CancellationToken));
        var run = await new RemoteAttemptStore(leases).GetRunAsync(lease.RunId, TestContext.Current.CancellationToken);
        Assert.Equal("cancelled by ada", run!.CancelReason);
        Assert.True(run.CancelRequested);
    }

    /// <summary>One step that prints its secret (masked by the reporter) and a line.</summary>
    private sealed class EchoExecutor : IExecutor
    {
        public string Name => "echo";

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
        {
            var step = job.Steps[0];
            var at = DateTimeOffset.UtcNow;
            reporter.StepStarted(step, at);
            reporter.Log(new LogLine(step.Index, LogStream.Stdout, at, $"the token is {job.Env["TOKEN"]}"));
            reporter.Log(new LogLine(step.Index, LogStream.Stdout, at, "hi"));
            var outcome = new StepOutcome(StepStatus.Succeeded, 0, null, at, DateTimeOffset.UtcNow);
            reporter.StepFinished(step, outcome);
            return Task.FromResult(new JobOutcome(JobStatus.Succeeded, 0, null, null, [outcome]));
        }
    }
}
