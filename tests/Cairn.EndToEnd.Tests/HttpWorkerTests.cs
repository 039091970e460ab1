using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Tests;
using Cairn.Storage.Tests;

namespace Cairn.EndToEnd.Tests;

/// <summary>Real <c>cairn server --concurrency 0</c> and <c>cairn worker --server</c> processes on loopback: the worker
/// holds a worker token and nothing else, and survives its own death, a server restart and a bad network.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HttpWorkerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A lease that expires soon after a worker dies; the server's reaper looks every few seconds.</summary>
    private static readonly string[] ShortLeases = ["--lease", "3s", "--heartbeat", "1s"];

    [Fact]
    public async Task TwoWorkers_RunEveryJob_OfSeveralRuns()
    {
        await using var fleet = await HttpFleet.StartAsync();
        fleet.StartWorker(await fleet.AddWorkerAsync("one"), args: ["--concurrency", "2"]);
        fleet.StartWorker(await fleet.AddWorkerAsync("two"), args: ["--concurrency", "2"]);

        var runs = new List<(long Run, IReadOnlyList<long> Jobs)>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await fleet.TriggerAsync($$"""
                jobs:
                  build:
                    steps:
                      - run: echo "built {{i}} from $(git rev-parse --short HEAD)"
                  test:
                    needs: [build]
                    steps:
                      - run: echo "tested {{i}}"
                """));
        }

        foreach (var (run, jobs) in runs)
        {
            var ended = await fleet.WaitForRunAsync(run);
            Assert.Equal(RunStatus.Succeeded, ended.Status);
            Assert.Equal(2, jobs.Count);
        }

        var last = runs[^1];
        Assert.Contains(await fleet.LogAsync(last.Jobs[0]), l => l.StartsWith("built 2 from ", StringComparison.Ordinal));
        Assert.Contains("tested 2", await fleet.LogAsync(last.Jobs[1]));
        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task KilledWorker_ItsJobIsReclaimed_AndFinishesOnTheOther_WithBothAttemptsInItsLog()
    {
        await using var fleet = await HttpFleet.StartAsync(ShortLeases);
        var marks = fleet.Directory.Combine("attempt-1-running");
        var (run, jobs) = await fleet.TriggerAsync($$"""
            jobs:
              slow:
                retry: { max: 1, on: [infra], backoff: 1s }
                steps:
                  - name: work
                    run: |
                      echo "attempt $CAIRN_ATTEMPT started"
                      if [ "$CAIRN_ATTEMPT" = 1 ]; then
                        echo $$ > {{marks}}
                        sleep 300
                      fi
                      echo "attempt $CAIRN_ATTEMPT finished"
            """);
        var doomed = fleet.StartWorker(await fleet.AddWorkerAsync("doomed"));
        // Kill only once the first attempt's line is stored, so the log can show both attempts.
        await fleet.WaitForLogLineAsync(jobs[0], "attempt 1 started");
        await Processes.WaitForFileAsync(marks, Token);
        fleet.StartWorker(await fleet.AddWorkerAsync("survivor"));

        await fleet.KillAsync(doomed);
        var ended = await fleet.WaitForRunAsync(run);

        Assert.Equal(RunStatus.Succeeded, ended.Status);
        var job = (await (await fleet.StoreAsync()).GetJobsAsync(run, Token)).Single();
        Assert.Equal(2, job.Attempt);
        var log = await fleet.LogAsync(job.Id);
        Assert.Contains("attempt 1 started", log);
        Assert.DoesNotContain("attempt 1 finished", log);
        Assert.Contains("attempt 2 started", log);
        Assert.Contains("attempt 2 finished", log);
        Assert.Single(log, l => l.Contains("was lost: its lease expired at", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("this is attempt 2 of the job", StringComparison.Ordinal));
        Assert.True(log.ToList().IndexOf("attempt 1 started") < log.ToList().IndexOf("attempt 2 started"), string.Join('\n', log));
        var step = int.Parse(File.ReadAllText(marks).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Processes.IsGoneSoonAsync(step, Token), $"step process {step} outlived its killed worker");
        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task ServerRestart_MidJob_TheJobCompletes_WithEveryLineOnce_InOrder()
    {
        // The default lease (30 s) outlives the restart: the job must not notice it.
        await using var fleet = await HttpFleet.StartAsync();
        var (run, jobs) = await fleet.TriggerAsync(SlowCounter(60, "0.1"));
        fleet.StartWorker(await fleet.AddWorkerAsync("steady"));
        await fleet.WaitForLogLineAsync(jobs[0], HttpFleet.Numbered(10));

        await fleet.RestartServerAsync();

        var ended = await fleet.WaitForRunAsync(run);
        Assert.Equal(RunStatus.Succeeded, ended.Status);
        AssertEachLineOnceInOrder(await fleet.LogAsync(jobs[0]), 60);
        var job = (await (await fleet.StoreAsync()).GetJobsAsync(run, Token)).Single();
        Assert.Equal(1, job.Attempt);
        await fleet.StopWorkersAsync();
    }

    [PostgresFact]
    public async Task SwitchToAnotherReplica_MidJob_TheJobCompletes_WithEveryLineOnce_InOrder()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var fleet = await HttpFleet.StartAsync("--store", "postgres", "--connection", database.ConnectionString!);
        var replica = await fleet.StartReplicaAsync();
        await using var balancer = new FaultyProxy("127.0.0.1", fleet.Port);
        var (run, jobs) = await fleet.TriggerAsync(SlowCounter(60, "0.1"));
        fleet.StartWorker(await fleet.AddWorkerAsync("roaming"), balancer.Url.ToString());
        await fleet.WaitForLogLineAsync(jobs[0], HttpFleet.Numbered(10));

        // The balancer sends everything to the replica from now on, and the first server goes away.
        balancer.Retarget("127.0.0.1", replica);
        balancer.Reset();
        balancer.Pass();
        await fleet.StopServerAsync();

        var ended = await fleet.WaitForRunAsync(run);
        Assert.Equal(RunStatus.Succeeded, ended.Status);
        AssertEachLineOnceInOrder(await fleet.LogAsync(jobs[0]), 60);
        Assert.Equal(1, (await (await fleet.StoreAsync()).GetJobsAsync(run, Token)).Single().Attempt);
        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task ThroughAProxyThatCutsAndStallsConnectionsAtRandom_EveryRunCompletes_WithEveryLineOnce()
    {
        await using var fleet = await HttpFleet.StartAsync();
        await using var proxy = new FaultyProxy("127.0.0.1", fleet.Port);
        proxy.Chaos(seed: 1313, rate: 0.5, longestStall: TimeSpan.FromSeconds(2), longestCut: 8 * 1024);
        fleet.StartWorker(await fleet.AddWorkerAsync("left"), proxy.Url.ToString(), args: ["--call-timeout", "5s"]);
        fleet.StartWorker(await fleet.AddWorkerAsync("right"), proxy.Url.ToString(), args: ["--call-timeout", "5s"]);

        var runs = new List<(long Run, IReadOnlyList<long> Jobs)>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await fleet.TriggerAsync(SlowCounter(150, "0.01")));
        }

        // Beside the random faults, one of each for certain, in the middle of a job: everything held, then everything cut.
        await fleet.WaitForLogLineAsync(runs[0].Jobs[0], HttpFleet.Numbered(50));
        proxy.Stall();
        await Eventually.TrueAsync(() => proxy.Held > 0, "the proxy to hold a call", TimeSpan.FromSeconds(60), Token);
        proxy.Reset();
        proxy.Chaos(seed: 1314, rate: 0.5, longestStall: TimeSpan.FromSeconds(2), longestCut: 8 * 1024);

        foreach (var (run, jobs) in runs)
        {
            var ended = await fleet.WaitForRunAsync(run, TimeSpan.FromMinutes(4));
            Assert.Equal(RunStatus.Succeeded, ended.Status);
            AssertEachLineOnceInOrder(await fleet.LogAsync(jobs[0]), 150);
        }

        Assert.True(proxy.Resets > 0, $"the proxy cut none of {proxy.Connections} connections: the test proved nothing");
        TestContext.Current.TestOutputHelper?.WriteLine($"{proxy.Connections} connections: {proxy.Resets} cut, {proxy.Stalls} stalled");
        proxy.Pass();
        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task WrongToken_TheWorkerSaysSo_AndExitsNonZero()
    {
        await using var fleet = await HttpFleet.StartAsync();
        var real = File.ReadAllText(await fleet.AddWorkerAsync("real")).Trim();
        // The right worker id with another secret: the server must check the secret, not only find the worker.
        var forged = fleet.WriteTokenFile("forged", real[..^4] + (real.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"));

        var result = await fleet.ExitOfAsync(fleet.StartWorker(forged));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused this worker's token", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(real, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovedWorker_ItsTokenIsRefused_AndTheWorkerExitsNonZero()
    {
        await using var fleet = await HttpFleet.StartAsync();
        var tokenFile = await fleet.AddWorkerAsync("retired");
        await fleet.WorkerAsync("retired", "remove");

        var result = await fleet.ExitOfAsync(fleet.StartWorker(tokenFile));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused this worker's token", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PausedWorker_TakesNothing_WhileAnotherRunsEveryJob()
    {
        await using var fleet = await HttpFleet.StartAsync();
        var pausedToken = await fleet.AddWorkerAsync("resting");
        await fleet.WorkerAsync("resting", "pause");
        var resting = fleet.StartWorker(pausedToken);
        // Once the server has heard from the paused worker, it is asking for jobs and being told no.
        await Eventually.TrueAsync(
            async () => (await fleet.Admin.GetStringAsync("/api/v1/workers", Token)).Contains("\"lastSeenAt\":\"", StringComparison.Ordinal),
            "the paused worker to call the server",
            TimeSpan.FromSeconds(60),
            Token);
        var runs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add((await fleet.TriggerAsync($"jobs:\n  j:\n    steps:\n      - run: echo run {i}\n")).Run);
        }

        fleet.StartWorker(await fleet.AddWorkerAsync("busy"));

        var store = await fleet.StoreAsync();
        foreach (var run in runs)
        {
            Assert.Equal(RunStatus.Succeeded, (await fleet.WaitForRunAsync(run)).Status);
            var attempts = await store.GetAttemptsOfRunAsync(run, Token);
            Assert.Single(attempts);
            Assert.All(attempts, a => Assert.StartsWith("busy/", a.Worker, StringComparison.Ordinal));
        }

        Assert.False(resting.StdoutSoFar.Contains("run 0", StringComparison.Ordinal), resting.StdoutSoFar);
        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task WorkerToken_CannotListRuns_ReadALog_OrFetchAnotherRepository_AndItsSourceTokenEndsWithTheLease()
    {
        await using var fleet = await HttpFleet.StartAsync();
        using var other = new GitRepository();
        other.Commit("jobs:\n  j:\n    steps:\n      - run: echo other\n");
        await fleet.AddRepositoryAsync("octo/other", other);
        var (run, jobs) = await fleet.TriggerAsync("jobs:\n  j:\n    steps:\n      - run: echo mine\n");
        var workerToken = File.ReadAllText(await fleet.AddWorkerAsync("prober")).Trim();
        using var worker = new HttpClient { BaseAddress = new Uri(fleet.Url), Timeout = TimeSpan.FromSeconds(60) };
        worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workerToken);

        // Nothing of the API for people.
        foreach (var path in new[] { "/api/v1/runs", $"/api/v1/runs/{run}", $"/api/v1/runs/{run}/jobs/{jobs[0]}/log", "/api/v1/workers", "/api/v1/repos/octo/app/secrets" })
        {
            using var answer = await worker.GetAsync(path, Token);
            Assert.True(answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{path} answered a worker token {(int)answer.StatusCode}");
        }

        // Lease the job as a worker would, and use its source token.
        using var leased = await worker.PostAsJsonAsync(WorkerPaths.Lease, new LeaseRequest("probe", 1, [], 20), WorkerProtocolJson.Default.LeaseRequest, Token);
        Assert.Equal(HttpStatusCode.OK, leased.StatusCode);
        var grant = (await leased.Content.ReadFromJsonAsync(WorkerProtocolJson.Default.LeaseGrant, Token))!;
        Assert.Equal(jobs[0], grant.Job.Id);
        Assert.Equal(WorkerPaths.Git("octo/app"), grant.SourcePath);

        Assert.Equal(HttpStatusCode.OK, await FetchRefsAsync(fleet, "octo/app", grant.SourceToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await FetchRefsAsync(fleet, "octo/other", grant.SourceToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await FetchRefsAsync(fleet, "octo/app", workerToken));

        // Another worker's token reaches nothing of this lease.
        using var stranger = new HttpClient { BaseAddress = new Uri(fleet.Url) };
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(await fleet.AddWorkerAsync("stranger")).Trim());
        using var theirs = await stranger.PostAsync(WorkerPaths.Secrets(grant.LeaseId), null, Token);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);

        var now = DateTimeOffset.UtcNow;
        using var completed = await worker.PostAsJsonAsync(
            WorkerPaths.Complete(grant.LeaseId),
            new CompletionReport(JobStatus.Succeeded, 0, null, null, now, now, null),
            WorkerProtocolJson.Default.CompletionReport,
            Token);
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await FetchRefsAsync(fleet, "octo/app", grant.SourceToken));
    }

    [Fact]
    public async Task WorkerWithNoStore_RunsAShellJobWithASecret_MaskedInTheStoredLog() =>
        await RunWithSecretAsync(image: null, env: null);

    [ContainerEngineFact]
    public async Task WorkerWithNoStore_RunsAContainerJobWithASecret_MaskedInTheStoredLog() =>
        await RunWithSecretAsync(Engines.TestImage, new Dictionary<string, string?> { ["DOCKER_HOST"] = Engines.ContainerEngine });

    private static async Task RunWithSecretAsync(string? image, IReadOnlyDictionary<string, string?>? env)
    {
        const string Secret = "hunter2-bd93f1c7";
        await using var fleet = await HttpFleet.StartAsync();
        using (var set = await fleet.Admin.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/DEPLOY_KEY", new { value = Secret }, Token))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(Token));
        }

        var (run, jobs) = await fleet.TriggerAsync($$"""
            jobs:
              deploy:
                {{(image is null ? "" : $"image: {image}")}}
                secrets: [DEPLOY_KEY]
                steps:
                  - run: |
                      echo "the key is $DEPLOY_KEY"
                      if [ "$DEPLOY_KEY" = "{{Secret[..7]}}""{{Secret[7..]}}" ]; then echo "the step got the key"; fi
                      test -f .cairn.yml && echo "the source is here"
            """);
        fleet.StartWorker(await fleet.AddWorkerAsync("deployer"), env: env);

        var ended = await fleet.WaitForRunAsync(run, TimeSpan.FromMinutes(3));

        var log = await fleet.LogAsync(jobs[0]);
        Assert.True(ended.Status == RunStatus.Succeeded, string.Join('\n', log));
        Assert.Contains("the step got the key", log);
        Assert.Contains("the source is here", log);
        Assert.Contains(log, l => l.StartsWith("the key is ", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains(Secret, StringComparison.Ordinal));
        await fleet.StopWorkersAsync();
    }

    private static string SlowCounter(int lines, string pause) => $$"""
        jobs:
          count:
            steps:
              - run: |
                  for i in $(seq 1 {{lines}}); do printf 'line %04d\n' "$i"; sleep {{pause}}; done
        """;

    private static void AssertEachLineOnceInOrder(IReadOnlyList<string> log, int count)
    {
        var numbered = log.Where(l => l.StartsWith("line ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(HttpFleet.Numbered), numbered);
    }

    private static async Task<HttpStatusCode> FetchRefsAsync(HttpFleet fleet, string repository, string bearer)
    {
        using var client = new HttpClient { BaseAddress = new Uri(fleet.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{WorkerPaths.Git(repository)}/info/refs?service=git-upload-pack");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request, Token);
        return response.StatusCode;
    }
}
