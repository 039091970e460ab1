using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Core.Runs;
using Cairn.Executors.Kubernetes;

namespace Cairn.EndToEnd.Tests;

/// <summary>A real <c>cairn server</c> (and <c>cairn worker --server</c>) running jobs on a kubernetes runner against a
/// stand-in Kubernetes API whose pods run their source init container and supervisor as local processes: the pod fetches
/// the run's commit from the server's git endpoint with the job's source token, as in a cluster.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KubernetesEndToEndTests : IDisposable
{
    private const string Secret = "hunter2-5c0e9a71";
    private const string Hello = "hello from the repository";

    private readonly TempDirectory _config = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task ServerRunsAJobInAPod_ThatFetchedTheCommit_WithTheSecretMasked_AndLeavesNothingBehind()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        await using var fleet = await HttpFleet.StartAsync("--concurrency", "1", "--runners", Runners(), "--kubeconfig", api.KubeconfigPath);

        await RunInAPodAsync(fleet, api);

        Assert.Contains("kubernetes executors", fleet.Server.StdoutSoFar, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerOverHttpRunsAJobInAPod_ThatFetchedTheCommit_WithTheSecretMasked_AndLeavesNothingBehind()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        var runners = Runners();
        await using var fleet = await HttpFleet.StartAsync("--runners", runners);
        fleet.StartWorker(await fleet.AddWorkerAsync("pods"), args: ["--runners", runners, "--kubeconfig", api.KubeconfigPath]);

        await RunInAPodAsync(fleet, api);

        await fleet.StopWorkersAsync();
    }

    [Fact]
    public async Task AnUnschedulablePod_ShowsTheSchedulersMessageWhileItWaits_ThenFailsAsInfra()
    {
        const string Message = "0/3 nodes are available: 3 Insufficient cpu.";
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = (pod, _) =>
            {
                pod.Unschedulable(Message);
                pod.Event("FailedScheduling", Message, "Warning");
                return Task.CompletedTask;
            },
        };
        await using var fleet = await HttpFleet.StartAsync("--concurrency", "1", "--runners", Runners(schedulingTimeout: "3s"), "--kubeconfig", api.KubeconfigPath);

        var (run, _) = await fleet.TriggerAsync("""
            jobs:
              big:
                runner: pods
                steps: [{ run: echo never }]
            """);

        var waiting = await Eventually.ValueAsync(
            () => PendingReasonAsync(fleet, run),
            reason => reason is { Kind: "executor" },
            "the job's pending reason to be the executor's",
            TimeSpan.FromSeconds(60),
            reason => $"{reason}; {fleet.Outputs()}",
            Token);
        Assert.Contains(Message, waiting!.Value.Text, StringComparison.Ordinal);

        var ended = await fleet.WaitForRunAsync(run);
        var job = Assert.Single(await (await fleet.StoreAsync()).GetJobsAsync(run, Token));
        Assert.Equal(RunStatus.Failed, ended.Status);
        Assert.Equal(FailureClass.Infra, job.FailureClass);
        Assert.Contains("insufficient cpu", job.FailureDetail, StringComparison.OrdinalIgnoreCase);
        await Eventually.TrueAsync(() => api.Pods.Count == 0 && api.Secrets.Count == 0, "the pod and its Secret removed", cancellationToken: Token);
    }

    [Fact]
    public async Task TheServersJanitor_RemovesAPodAndSecretOfALeaseThatNoLongerLives_AtStart()
    {
        await using var api = new FakeKubernetesApi();
        var owner = KubernetesExecutor.LabelValue($"server-{Environment.MachineName}");
        var labels = new Dictionary<string, string>
        {
            ["cairn.owner"] = owner,
            ["cairn.lease"] = Guid.NewGuid().ToString(),
            ["app.kubernetes.io/managed-by"] = "cairn",
        };
        api.Seed("ci", "cairn-9-9-1-deadbe", labels);
        api.Seed("ci", "cairn-other-owner", new Dictionary<string, string>(labels) { ["cairn.owner"] = "worker-elsewhere" });

        await using var fleet = await HttpFleet.StartAsync("--concurrency", "1", "--runners", Runners(), "--kubeconfig", api.KubeconfigPath);

        await Eventually.TrueAsync(
            () => api.Pods.All(p => p.Name != "cairn-9-9-1-deadbe") && !api.Secrets.Contains("ci/cairn-9-9-1-deadbe"),
            "the janitor to remove the dead lease's pod and Secret",
            TimeSpan.FromSeconds(60),
            cancellationToken: Token);
        Assert.Equal(["cairn-other-owner"], api.Pods.Select(p => p.Name));
        Assert.Equal(["ci/cairn-other-owner"], api.Secrets);
        await Eventually.TrueAsync(
            () => fleet.Server.StdoutSoFar.Contains("pod ci/cairn-9-9-1-deadbe; Secret ci/cairn-9-9-1-deadbe", StringComparison.Ordinal),
            "the server to say what its janitor removed",
            cancellationToken: Token);
    }

    [Fact]
    public async Task AServerWhoseClusterDoesNotAnswer_WarnsAtStart_KeepsServing_AndFailsKubernetesJobsAsInfra()
    {
        var closed = _config.WriteFile("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: gone
              cluster:
                server: http://127.0.0.1:9
            contexts:
            - name: gone
              context: { cluster: gone, user: gone }
            current-context: gone
            users:
            - name: gone
              user: { token: gone }
            """);
        await using var fleet = await HttpFleet.StartAsync("--concurrency", "1", "--runners", Runners(), "--kubeconfig", closed);

        var (run, _) = await fleet.TriggerAsync("""
            jobs:
              pod:
                runner: pods
                retry: { max: 1, on: [timeout] }
                steps: [{ run: echo never }]
              here:
                steps: [{ run: echo still here }]
            """);

        await fleet.WaitForRunAsync(run);
        var jobs = (await (await fleet.StoreAsync()).GetJobsAsync(run, Token)).ToDictionary(j => j.Name);
        Assert.Equal(JobStatus.Succeeded, jobs["here"].Status);
        // The cluster being away is the infrastructure's failure, retried as such; the process keeps trying it.
        Assert.Equal(FailureClass.Infra, jobs["pod"].FailureClass);
        Assert.StartsWith("the cluster could not be reached: ", jobs["pod"].FailureDetail, StringComparison.Ordinal);
        await fleet.StopServerAsync();
        var stopped = await fleet.Server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains($"cairn server: warning: no Kubernetes API is reachable (kubeconfig {closed}): ", stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains("jobs on runner 'pods' are still sent to it, and fail as infra (retried as such) while it does not answer", stopped.Stderr, StringComparison.Ordinal);
    }

    private static async Task RunInAPodAsync(HttpFleet fleet, FakeKubernetesApi api)
    {
        using (var set = await fleet.Admin.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/DEPLOY_KEY", new { value = Secret }, Token))
        {
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(Token));
        }

        var sha = fleet.Repo.Commit(new Dictionary<string, string>
        {
            [".cairn.yml"] = $$"""
                jobs:
                  build:
                    runner: pods
                    secrets: [DEPLOY_KEY]
                    steps:
                      - run: |
                          cat hello.txt
                          echo "the key is $DEPLOY_KEY"
                          if [ "$DEPLOY_KEY" = "{{Secret[..7]}}""{{Secret[7..]}}" ]; then echo "the step got the key"; fi
                          echo "at $(git rev-parse HEAD)"
                """,
            ["hello.txt"] = Hello + "\n",
        });
        var (run, jobs) = await fleet.TriggerRunAsync(HttpFleet.Repository);

        var ended = await fleet.WaitForRunAsync(run, TimeSpan.FromMinutes(3));

        var log = await fleet.LogAsync(jobs[0]);
        Assert.True(ended.Status == RunStatus.Succeeded, string.Join('\n', log) + "\n" + fleet.Outputs());
        Assert.Contains(Hello, log);
        Assert.Contains($"at {sha}", log);
        Assert.Contains("the step got the key", log);
        Assert.Contains(log, l => l.StartsWith("the key is ", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.Single(api.CreatedPods);
        await Eventually.TrueAsync(() => api.Pods.Count == 0 && api.Secrets.Count == 0, "the pod and its Secret removed", cancellationToken: Token);
    }

    private string Runners(string schedulingTimeout = "1m") => _config.WriteFile($"runners-{Guid.NewGuid():N}.yml", $"""
        runners:
          pods:
            executor: kubernetes
            namespace: ci
            image: busybox:1.36
            scheduling-timeout: {schedulingTimeout}
        """);

    private static async Task<(string Kind, string Text)?> PendingReasonAsync(HttpFleet fleet, long run)
    {
        using var response = await fleet.Admin.GetAsync($"/api/v1/runs/{run}", Token);
        using var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        var job = view.RootElement.GetProperty("jobs")[0];
        return job.TryGetProperty("pendingReason", out var reason) && reason.ValueKind == JsonValueKind.Object
            ? (reason.GetProperty("kind").GetString()!, reason.GetProperty("text").GetString()!)
            : null;
    }
}
