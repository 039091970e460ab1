using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Workers;
using static Cairn.Server.Tests.Workers.WorkerServer;

namespace Cairn.Server.Tests.Workers;

/// <summary>What a job away from its worker's host needs from the server: its waiting reason kept and shown, which leases
/// still live, and a source its own pod can fetch under an in-process lease.</summary>
public sealed class ExecutorPlumbingTests
{
    private static readonly CancellationToken Token = CancellationToken.None;

    [Fact]
    public async Task Waiting_IsTheRunningJobsPendingReason_InTheApi_UntilTheLeaseEnds()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var (other, _) = await world.AddWorkerAsync("w2");
        var grant = await LeaseAsync(worker);

        using var said = await PostAsync(worker, WorkerPaths.Waiting(grant.LeaseId),
            new WaitingReport("waiting for a node: 0/3 nodes are available: 3 Insufficient cpu."), WorkerProtocolJson.Default.WaitingReport);
        Assert.Equal(HttpStatusCode.NoContent, said.StatusCode);
        var job = await JobViewAsync(world, runId);
        Assert.Equal("executor", job.GetProperty("pendingReason").GetProperty("kind").GetString());
        Assert.Equal("waiting for a node: 0/3 nodes are available: 3 Insufficient cpu.", job.GetProperty("pendingReason").GetProperty("text").GetString());

        using var notYours = await PostAsync(other, WorkerPaths.Waiting(grant.LeaseId), new WaitingReport("mine"), WorkerProtocolJson.Default.WaitingReport);
        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        using var malformed = await worker.PostAsync(WorkerPaths.Waiting(grant.LeaseId), new StringContent("[1]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        using var underWay = await PostAsync(worker, WorkerPaths.Waiting(grant.LeaseId), new WaitingReport(null), WorkerProtocolJson.Default.WaitingReport);
        Assert.Equal(HttpStatusCode.NoContent, underWay.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await JobViewAsync(world, runId)).GetProperty("pendingReason").ValueKind);

        var now = DateTimeOffset.UtcNow;
        using var done = await PostAsync(worker, WorkerPaths.Complete(grant.LeaseId),
            new CompletionReport(JobStatus.Succeeded, 0, null, null, now, now, null), WorkerProtocolJson.Default.CompletionReport);
        Assert.True(done.IsSuccessStatusCode);
        using var late = await PostAsync(worker, WorkerPaths.Waiting(grant.LeaseId), new WaitingReport("too late"), WorkerProtocolJson.Default.WaitingReport);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(WorkerProblems.LeaseLost, await ProblemTypeAsync(late));
    }

    [Fact]
    public async Task LiveLeases_AreThoseStillHoldingTheirJob_WhicheverWorkerHoldsThem_AtMostFiveHundredAtOnce()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        await world.QueueRunAsync();
        var (first, _) = await world.AddWorkerAsync("w1");
        var (second, _) = await world.AddWorkerAsync("w2");
        var ended = await LeaseAsync(first);
        var held = await LeaseAsync(second);
        var now = DateTimeOffset.UtcNow;
        using var done = await PostAsync(first, WorkerPaths.Complete(ended.LeaseId),
            new CompletionReport(JobStatus.Succeeded, 0, null, null, now, now, null), WorkerProtocolJson.Default.CompletionReport);
        Assert.True(done.IsSuccessStatusCode);

        using var answer = await PostAsync(first, WorkerPaths.LiveLeases,
            new LiveLeasesRequest([ended.LeaseId, held.LeaseId, Guid.NewGuid()]), WorkerProtocolJson.Default.LiveLeasesRequest);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var live = await answer.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.LiveLeasesAnswer);
        Assert.Equal([held.LeaseId], live!.Live);

        using var tooMany = await PostAsync(first, WorkerPaths.LiveLeases,
            new LiveLeasesRequest([.. Enumerable.Range(0, 501).Select(_ => Guid.NewGuid())]), WorkerProtocolJson.Default.LiveLeasesRequest);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        using var asUser = await world.Server.Client.PostAsync(WorkerPaths.LiveLeases,
            JsonContent.Create(new LiveLeasesRequest([held.LeaseId]), WorkerProtocolJson.Default.LiveLeasesRequest));
        Assert.False(asUser.IsSuccessStatusCode);
    }

    [Fact]
    public async Task SourceIssuedForAnInProcessLease_FetchesTheRunsCommit_WhileTheLeaseLives()
    {
        await using var world = await StartAsync();
        var runId = await world.QueueRunAsync();
        var queue = world.Service<IJobQueue>();
        var lease = await Eventually.ValueAsync<JobLease?>(
            () => queue.TryLeaseAsync("server/inst/1", [], Token), l => l is not null, "the run's job is queued");
        var run = await world.Service<IRunStore>().GetRunAsync(runId, Token);

        var source = await world.Service<ServerJobSourceIssuer>().IssueAsync(lease!, run!, Token);

        Assert.NotNull(source);
        Assert.Equal(new Uri($"{ServerHarness.PublicUrl}git/{App}.git"), source.Url);
        Assert.Equal(world.Sha, source.Sha);
        Assert.Equal(world.Service<SourceTokens>().Verify(source.Token, App), lease!.LeaseId);
        Assert.DoesNotContain(source.Token, source.ToString(), StringComparison.Ordinal);
        var url = world.Server.Url.TrimEnd('/') + source.Url.AbsolutePath;
        using var empty = new TempDirectory();
        Git(empty.Path, "init", "--quiet");
        var fetched = Git(empty.Path, "-c", $"http.extraHeader=Authorization: Bearer {source.Token}", "fetch", "--depth", "1", url, source.Sha);
        Assert.True(fetched.Code == 0, fetched.Output);
        Assert.Equal(world.Sha, Git(empty.Path, "rev-parse", "FETCH_HEAD").Output.Trim());

        var now = DateTimeOffset.UtcNow;
        Assert.True(await queue.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));
        using var after = new TempDirectory();
        Git(after.Path, "init", "--quiet");
        Assert.NotEqual(0, Git(after.Path, "-c", $"http.extraHeader=Authorization: Bearer {source.Token}", "fetch", "--depth", "1", url, source.Sha).Code);
    }

    private static async Task<JsonElement> JobViewAsync(WorkerServer world, long runId)
    {
        using var body = JsonDocument.Parse(await world.Server.Client.GetStringAsync($"/api/v1/runs/{runId}"));
        return body.RootElement.GetProperty("jobs").EnumerateArray().Single().Clone();
    }

    private static (int Code, string Output) Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        return (git.ExitCode, output.Result + error);
    }
}
