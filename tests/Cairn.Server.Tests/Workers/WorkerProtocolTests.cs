using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Engine;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Core.Triggers;
using Cairn.Core.Workers;
using Cairn.Server.Services;
using static Cairn.Server.Tests.Workers.WorkerServer;

namespace Cairn.Server.Tests.Workers;

/// <summary>The worker protocol on a real server, called as a worker over HTTP calls it.</summary>
public sealed class WorkerProtocolTests
{
    private static readonly CancellationToken Token = CancellationToken.None;

    [Fact]
    public async Task Lease_AnswersAQueuedJob_AndTheSameOwnerAskingAgainGetsTheSameLease()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");

        var grant = await LeaseAsync(worker);
        var again = await LeaseAsync(worker);

        Assert.Equal((runId, App, world.Sha, "w1/inst1/1", 1), (grant.Run.Id, grant.Run.Repository, grant.Run.Sha, grant.WorkerId, grant.Attempt));
        Assert.Equal((grant.LeaseId, grant.Job.Id), (again.LeaseId, again.Job.Id));
        Assert.Equal(WorkerPaths.Git(App), grant.SourcePath);
        Assert.StartsWith("cairnj_", grant.SourceToken, StringComparison.Ordinal);
        Assert.InRange(grant.HeartbeatSeconds, 1, 10);
        using var other = await AskAsync(worker, slot: 2, wait: 0);
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);
        var seen = await world.Service<IWorkerStore>().GetWorkerAsync("w1", Token);
        Assert.Equal("test-1.0", seen!.Version);
    }

    [Fact]
    public async Task Lease_NamingNoLabels_OffersEveryLabelOfTheWorkersIdentity_AndNamingSomeOffersOnlyThose()
    {
        await using var world = await StartAsync(runners: "runners:\n  big: { executor: shell, labels: [linux, big] }\n");
        world.Git.Commit("name: ci\non: { manual: {} }\njobs:\n  heavy:\n    runner: big\n    steps: [{ run: 'echo hi' }]\n");
        await world.QueueRunAsync();
        var (identity, _) = await world.AddWorkerAsync("big-1", "linux", "big");

        using var some = await AskAsync(identity, labels: ["linux"], wait: 1);
        using var every = await identity.PostAsync(
            WorkerPaths.Lease, JsonContent.Create(new LeaseRequest("inst1", 2, null, 20), WorkerProtocolJson.Default.LeaseRequest));

        Assert.Equal(HttpStatusCode.NoContent, some.StatusCode);
        Assert.Equal(HttpStatusCode.OK, every.StatusCode);
        var grant = (await every.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.LeaseGrant))!;
        Assert.Equal("heavy", grant.Job.Name);
        Assert.Equal(["linux", "big"], grant.Job.Labels);
    }

    [Fact]
    public async Task Lease_OfAPausedWorker_IsNothing_AndALabelBeyondTheWorkersIsRefused()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        var (paused, _) = await world.AddWorkerAsync("paused");
        var (labelled, _) = await world.AddWorkerAsync("labelled", "linux");
        Assert.True(await world.Service<IWorkerStore>().SetWorkerPausedAsync("paused", true, Token));

        using var nothing = await AskAsync(paused, wait: 1);
        using var beyond = await AskAsync(labelled, labels: ["linux", "gpu"], wait: 0);
        using var badSlot = await AskAsync(labelled, slot: 0, wait: 0);
        using var badInstance = await AskAsync(labelled, instance: "a/b", wait: 0);

        Assert.Equal(HttpStatusCode.Forbidden, nothing.StatusCode);
        Assert.Contains(WorkerProblems.Paused, await nothing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        Assert.Contains("'gpu'", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badSlot.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badInstance.StatusCode);
        var job = Assert.Single(await world.Service<IRunStore>().GetJobsAsync((await world.Server.ListRunsAsync()).Single().Id, Token));
        Assert.Equal(JobStatus.Queued, job.Status);
    }

    [Fact]
    public async Task Heartbeat_IsHeld_ThenCancelRequested_ThenTheLeaseIsLostOnceReaped()
    {
        await using var world = await StartAsync(lease: "3s");
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);

        var held = await HeartbeatAsync(worker, grant.LeaseId);
        Assert.Equal(LeaseState.Held, held.State);
        using var cancelled = await world.Server.Client.PostAsJsonAsync($"/api/v1/runs/{runId}/cancel", new { });
        Assert.True(cancelled.IsSuccessStatusCode, await cancelled.Content.ReadAsStringAsync());
        var asked = await HeartbeatAsync(worker, grant.LeaseId);
        Assert.Equal(LeaseState.CancelRequested, asked.State);
        Assert.NotNull(asked.CancelReason);
        var poll = await worker.GetFromJsonAsync($"{WorkerPaths.Cancel(grant.LeaseId)}?wait=5", WorkerProtocolJson.Default.HeartbeatAnswer);
        Assert.Equal(LeaseState.CancelRequested, poll!.State);

        await Eventually.TrueAsync(
            async () => (await world.Service<ILeaseRecords>().GetLeaseAsync(grant.LeaseId, Token))?.Running == false, "the lease is reaped");

        using var late = await worker.PostAsync(WorkerPaths.Heartbeat(grant.LeaseId), null);
        var now = DateTimeOffset.UtcNow;
        using var complete = await PostAsync(worker, WorkerPaths.Complete(grant.LeaseId),
            new CompletionReport(JobStatus.Succeeded, 0, null, null, now, now, null), WorkerProtocolJson.Default.CompletionReport);
        using var log = await PostAsync(worker, WorkerPaths.Log(grant.LeaseId),
            new LogBatch(grant.LastSequence + 1, [new WireLogLine(0, LogStream.Stdout, now, "late")]), WorkerProtocolJson.Default.LogBatch);
        foreach (var answer in new[] { late, complete, log })
        {
            Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
            Assert.Equal(WorkerProblems.LeaseLost, await ProblemTypeAsync(answer));
        }
    }

    [Fact]
    public async Task AWaitingReason_HoldingTheStatusTokenOrASecret_IsKeptMasked()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);

        using var said = await PostAsync(worker, WorkerPaths.Waiting(grant.LeaseId),
            new WaitingReport($"pulling image: denied for {StatusToken} and declared-value"), WorkerProtocolJson.Default.WaitingReport);

        Assert.Equal(HttpStatusCode.NoContent, said.StatusCode);
        var job = Assert.Single(await world.Service<IRunStore>().GetJobsAsync(runId, Token));
        Assert.Equal($"pulling image: denied for {SecretMasker.Placeholder} and {SecretMasker.Placeholder}", job.PendingReason);
    }

    [Fact]
    public async Task Log_SentTwice_IsStoredOnce_AndALineHoldingTheStatusTokenIsStoredMasked()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);
        var now = DateTimeOffset.UtcNow;
        var batch = new LogBatch(grant.LastSequence + 1,
        [
            new WireLogLine(0, LogStream.Stdout, now, "first"),
            new WireLogLine(0, LogStream.Stdout, now, $"token {StatusToken} and declared-value"),
        ]);

        var acks = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            using var sent = await PostAsync(worker, WorkerPaths.Log(grant.LeaseId), batch, WorkerProtocolJson.Default.LogBatch);
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
            acks.Add((await sent.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.LogAck))!.Stored);
        }

        var stored = await world.Service<IRunStore>().ReadLogAsync(grant.Job.Id, 0, 100, Token);
        Assert.Equal(["first", $"token {SecretMasker.Placeholder} and {SecretMasker.Placeholder}"], stored.Select(l => l.Text));
        Assert.Equal([grant.LastSequence + 2, grant.LastSequence + 2], acks);
        using var tooMany = await PostAsync(worker, WorkerPaths.Log(grant.LeaseId),
            new LogBatch(10, [.. Enumerable.Repeat(new WireLogLine(0, LogStream.Stdout, now, "x"), 5_001)]), WorkerProtocolJson.Default.LogBatch);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
    }

    [Fact]
    public async Task Secrets_AreOnlyTheDeclaredOnes_AndEachReadIsAudited()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);

        using var answer = await worker.PostAsync(WorkerPaths.Secrets(grant.LeaseId), null);
        var secrets = await answer.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.SecretGrant);

        Assert.Equal([Declared], secrets!.Values.Keys);
        Assert.Equal("declared-value", secrets.Values[Declared]);
        Assert.Null(secrets.Refusal);
        var audit = await world.Service<IAuditLog>().ListAuditAsync(null, 100, Token);
        var read = Assert.Single(audit, e => e.Action == SecretActions.Read);
        Assert.Equal((runId, grant.Job.Id, App, Declared), (read.RunId!.Value, read.JobId!.Value, read.Repository, read.Secret));
    }

    [Fact]
    public async Task Secrets_OfAForksPullRequest_AreRefused_AndNoneIsRead()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var first = await LeaseAsync(worker);
        var trigger = new TriggerEvent(TriggerKind.PullRequest, App, "refs/pull/7/head", world.Sha, new Dictionary<string, string>())
        {
            PullRequest = new PullRequestInfo(7, "opened", "main", "topic", "mallory/app", IsFork: true),
        };
        await world.Service<RunCoordinator>().StartRunAsync(
            new RunPlan("ci", trigger, [new PlannedJob("a", "a", [], [], first.Job.Definition)]), Token);
        var fork = await LeaseAsync(worker, slot: 2);

        using var answer = await worker.PostAsync(WorkerPaths.Secrets(fork.LeaseId), null);
        var secrets = await answer.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.SecretGrant);

        Assert.NotEqual(first.Run.Id, fork.Run.Id);
        Assert.Empty(secrets!.Values);
        Assert.Equal(ServerSecretSource.ForkRefusal, secrets.Refusal);
        Assert.DoesNotContain(await world.Service<IAuditLog>().ListAuditAsync(null, 100, Token), e => e.Action == SecretActions.Read);
    }

    [Fact]
    public async Task Complete_SentTwice_IsWrittenBothTimes_WithOneAttempt_AndTheRunEnds()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);
        var started = DateTimeOffset.UtcNow;
        var report = new CompletionReport(JobStatus.Succeeded, 0, null, null, started, started.AddSeconds(1), null);

        for (var i = 0; i < 2; i++)
        {
            using var sent = await PostAsync(worker, WorkerPaths.Complete(grant.LeaseId), report, WorkerProtocolJson.Default.CompletionReport);
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
            Assert.True((await sent.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.CompletionAnswer))!.Written);
        }

        var attempt = Assert.Single(await world.Service<IRunOverview>().GetAttemptsOfRunAsync(runId, Token));
        Assert.Equal((JobStatus.Succeeded, "w1/inst1/1"), (attempt.Status, attempt.Worker));
        Assert.Equal("succeeded", (await world.Server.WaitForRunAsync(runId)).Status);
        using var other = await PostAsync(worker, WorkerPaths.Complete(grant.LeaseId), report with { ExitCode = 3, Status = JobStatus.Failed },
            WorkerProtocolJson.Default.CompletionReport);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
    }

    [Fact]
    public async Task AWorkersToken_ReadsNoRunNorLog_NorAnotherWorkersLease_AndARemovedWorkersTokenIsRefused()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var (other, _) = await world.AddWorkerAsync("w2");
        var (removed, _) = await world.AddWorkerAsync("w3");
        var grant = await LeaseAsync(worker);

        using var runs = await worker.GetAsync("/api/v1/runs");
        using var run = await worker.GetAsync($"/api/v1/runs/{runId}");
        using var log = await worker.GetAsync($"/api/v1/runs/{runId}/jobs/{grant.Job.Id}/log");
        using var repos = await worker.GetAsync("/api/v1/repos");
        using var notMine = await other.PostAsync(WorkerPaths.Heartbeat(grant.LeaseId), null);
        using var notMineSecrets = await other.PostAsync(WorkerPaths.Secrets(grant.LeaseId), null);
        using var byUser = await world.Server.Client.PostAsync(WorkerPaths.Secrets(grant.LeaseId), null);
        using var before = await AskAsync(removed, wait: 0);
        using var removal = await world.Server.Client.DeleteAsync("/api/v1/workers/w3");
        using var gone = await AskAsync(removed, wait: 0);

        foreach (var refused in new[] { runs, run, log, repos })
        {
            Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{refused.RequestMessage!.RequestUri}: {refused.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notMineSecrets.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byUser.StatusCode);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (before.StatusCode, removal.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
        var audit = await world.Service<IAuditLog>().ListAuditAsync(null, 100, Token);
        Assert.Contains(audit, e => e.Action == Core.Access.AuditActions.TokenRefused && e.Target?.StartsWith("worker token ", StringComparison.Ordinal) == true);
    }

    private static async Task<HeartbeatAnswer> HeartbeatAsync(HttpClient worker, Guid leaseId)
    {
        using var answer = await worker.PostAsync(WorkerPaths.Heartbeat(leaseId), null);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        return (await answer.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.HeartbeatAnswer))!;
    }
}
