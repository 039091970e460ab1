using Cairn.Core.Logs;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Kubernetes.KubernetesJobs;

namespace Cairn.Executors.Tests.Kubernetes;

public sealed class KubernetesExecutorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_runs_as_a_pod_whose_log_is_cut_into_steps_and_the_pod_and_secret_are_removed()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = Runs((["hello", "from step 0"], 0), (["second"], 0)) };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Job([Step(0, "echo hello"), Step(1, "echo second")]), reporter, Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["hello", "from step 0"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["second"], reporter.Text(1, LogStream.Stdout));
        Assert.Contains(reporter.Lines, l => l.Stream == LogStream.System && l.Text.StartsWith("kubernetes: Scheduled: Successfully assigned ci/", StringComparison.Ordinal));
        Assert.DoesNotContain(reporter.Lines, l => l.Text.Contains("##cairn", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the deleted pod gone (deletion with a grace ends when its containers have)", cancellationToken: Ct);
        Assert.Empty(api.Secrets);
        var pod = Assert.Single(api.CreatedPods);
        Assert.Matches("^cairn-1-1-1-[0-9a-f]{6}$", pod.Name);
    }

    [Fact]
    public async Task A_failing_step_fails_the_job_and_the_next_step_is_skipped()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = Runs((["boom"], 3), ([], 0)) };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Job([Step(0, "exit 3"), Step(1, "true")]), reporter, Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Script, outcome.FailureClass);
        Assert.Equal(3, outcome.Steps[0].ExitCode);
        Assert.Equal(StepStatus.Skipped, outcome.Steps[1].Status);
        Assert.Equal(["boom"], reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task A_pod_no_node_fits_yet_says_why_it_waits_and_runs_once_scheduled()
    {
        var reporter = new RecordingJobReporter();
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                pod.Unschedulable("0/3 nodes are available: 3 Insufficient cpu.");
                pod.Event("FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.", "Warning");
                await Eventually.TrueAsync(() => reporter.Waits.Contains("waiting for a node: 0/3 nodes are available: 3 Insufficient cpu."), "the waiting reason", cancellationToken: ct);
                await Runs((["ran"], 0))(pod, ct);
            },
        };
        using var executor = Executor(api);

        var outcome = await executor.RunAsync(Job([Step(0, "true")]), reporter, Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Null(reporter.Waits[^1]);
        Assert.Contains(reporter.Lines, l => l.Text == "kubernetes: FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu.");
        Assert.Equal(["ran"], reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task A_pod_that_stays_unschedulable_fails_the_job_as_infra_at_the_scheduling_timeout()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = (pod, _) => { pod.Unschedulable("0/1 nodes are available: 1 node(s) had untolerated taint."); return Task.CompletedTask; } };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var job = Job([Step(0, "true")], new KubernetesRunnerOptions(Namespace, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains("no node could take the job's pod", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("untolerated taint", outcome.Detail, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the deleted pod gone (deletion with a grace ends when its containers have)", cancellationToken: Ct);
        Assert.Empty(api.Secrets);
    }

    [Fact]
    public async Task An_image_that_does_not_pull_is_waited_for_then_fails_the_job_as_infra_with_the_registry_message()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = (pod, _) =>
            {
                pod.Scheduled();
                pod.Waiting("job", "ImagePullBackOff", "Back-off pulling image \"busybox:1.36\": manifest unknown");
                return Task.CompletedTask;
            },
        };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var job = Job([Step(0, "true")], new KubernetesRunnerOptions(Namespace, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)));

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains("manifest unknown", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains(reporter.Waits, w => w == "waiting for the image busybox:1.36: ImagePullBackOff");
    }

    [Fact]
    public async Task A_bad_image_name_fails_at_once()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = (pod, _) =>
            {
                pod.Scheduled();
                pod.Waiting("job", "InvalidImageName", "couldn't parse image name \"busybox:1.36\"");
                return Task.CompletedTask;
            },
        };
        using var executor = Executor(api);

        var outcome = await executor.RunAsync(Job([Step(0, "true")]), new RecordingJobReporter(), Ct);

        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains("InvalidImageName", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quota_refusal_is_waited_out_with_a_pending_reason_that_clears()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = Runs((["fits now"], 0)) };
        api.RefusePodCreates(2, "exceeded quota: compute, requested: limits.cpu=2, used: limits.cpu=7, limited: limits.cpu=8");
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Job([Step(0, "true")]), reporter, Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal("throttled by quota (cpu 7/8)", reporter.Waits[0]);
        Assert.Null(reporter.Waits[^1]);
        Assert.Single(reporter.Lines, l => l.Stream == LogStream.System && l.Text.StartsWith("throttled by quota (cpu 7/8)", StringComparison.Ordinal));
        Assert.Equal(3, api.ReceivedPods.Count);
    }

    [Fact]
    public async Task A_container_killed_for_memory_fails_the_step_naming_the_limit()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                await StartAsync(pod, ct);
                pod.Log(pod.Marker("start:0"));
                pod.Log("allocating");
                pod.Terminated("job", 137, "OOMKilled");
            },
        };
        using var executor = Executor(api);
        var job = Job([Step(0, "eat memory")]) with { Resources = new Cairn.Core.Execution.ResourceLimits(null, 1L << 30) };

        var outcome = await executor.RunAsync(job, new RecordingJobReporter(), Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Contains("killed: out of memory (limit 1Gi, OOMKilled)", outcome.Steps[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_deletes_its_pod_with_the_grace_keeps_the_log_and_leaves_no_secret()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                pod.OnDelete = p =>
                {
                    p.Log("stopping on SIGTERM");
                    p.Log(p.Marker("term:0"));
                    return Task.CompletedTask;
                };
                await StartAsync(pod, ct);
                pod.Log(pod.Marker("start:0"));
                pod.Log("working");
            },
        };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = executor.RunAsync(Job([Step(0, "sleep 600")]), reporter, cancel.Token);
        await Eventually.TrueAsync(() => reporter.Text(0, LogStream.Stdout).Contains("working"), "the step's first line", cancellationToken: Ct);
        await cancel.CancelAsync();
        var outcome = await run;

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Equal(3, await api.CreatedPods[0].Deleted);
        Assert.Equal(["working", "stopping on SIGTERM"], reporter.Text(0, LogStream.Stdout));
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the deleted pod gone (deletion with a grace ends when its containers have)", cancellationToken: Ct);
        Assert.Empty(api.Secrets);
    }

    [Fact]
    public async Task The_jobs_secrets_and_source_token_never_reach_the_pod_spec()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = Runs(([], 0)) };
        using var executor = Executor(api);
        var env = new Dictionary<string, string> { ["DEPLOY_KEY"] = "s3cr3t-deploy-value", ["PLAIN"] = "visible" };
        var job = Job([Step(0, "true")], env: env, secretNames: ["DEPLOY_KEY"]) with
        {
            Source = new Cairn.Core.Execution.JobSource(new Uri("http://cairn.example/git/acme/app"), new string('a', 40), "job-token-value-123"),
        };

        var outcome = await executor.RunAsync(job, new RecordingJobReporter(), Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var received = Assert.Single(api.ReceivedPods);
        Assert.DoesNotContain("s3cr3t-deploy-value", received, StringComparison.Ordinal);
        Assert.DoesNotContain("job-token-value-123", received, StringComparison.Ordinal);
        Assert.Contains("visible", received, StringComparison.Ordinal);
        Assert.Contains("DEPLOY_KEY", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dropped_watches_and_log_streams_are_resumed_with_no_line_lost_or_doubled()
    {
        var lines = Enumerable.Range(1, 40).Select(i => $"line {i}").ToArray();
        await using var api = new FakeKubernetesApi();
        api.OnPodCreated = async (pod, ct) =>
        {
            pod.Unschedulable("0/1 nodes are available");
            api.DropWatches();
            api.Compact();
            await StartAsync(pod, ct);
            var at = DateTimeOffset.UtcNow;
            pod.Log(pod.Marker("start:0"), at);
            for (var i = 0; i < lines.Length; i++)
            {
                // Several lines share a time, as fast output does: the resume must tell them apart by count.
                pod.Log(lines[i], at.AddMilliseconds(i / 4));
                if (i % 10 == 5)
                {
                    await Task.Delay(100, ct);
                    api.DropLogStreams();
                    api.DropWatches();
                    await Task.Delay(100, ct);
                }
            }

            pod.Log(pod.Marker("end:0:0"));
            pod.Log(pod.Marker("done"));
            pod.Terminated("job", 0);
        };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Job([Step(0, "seq 40")]), reporter, Ct);

        
        Assert.True(outcome.Status == JobStatus.Succeeded, $"{outcome.Detail} / {outcome.Steps[0].Detail} / {string.Join(" | ", reporter.Lines.Select(l => l.Text))}");
        Assert.Equal(lines, reporter.Text(0, LogStream.Stdout));
        Assert.True(api.Requests.Count(r => r.EndsWith("/log", StringComparison.Ordinal)) > 1, "the log stream was opened again");
    }

    [Fact]
    public async Task A_source_fetch_that_fails_fails_the_job_as_infra_with_the_end_of_its_log()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = (pod, _) =>
            {
                pod.Scheduled();
                pod.Log("fatal: could not read from remote repository", container: "source");
                pod.Terminated("source", 128);
                pod.Update(status => status["phase"] = "Failed");
                return Task.CompletedTask;
            },
        };
        using var executor = Executor(api);
        var job = Job([Step(0, "true")]) with
        {
            Source = new Cairn.Core.Execution.JobSource(new Uri("http://cairn.example/git/acme/app"), new string('b', 40), "token"),
        };

        var outcome = await executor.RunAsync(job, new RecordingJobReporter(), Ct);

        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Equal("the source could not be fetched: fatal: could not read from remote repository", outcome.Detail);
    }

    [Fact]
    public async Task The_jobs_timeout_stops_the_pod_and_a_pod_evicted_mid_step_fails_as_infra()
    {
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                await StartAsync(pod, ct);
                pod.Log(pod.Marker("start:0"));
                pod.Log("long work");
            },
        };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Job([Step(0, "sleep 600")], timeout: TimeSpan.FromSeconds(1)), reporter, Ct);

        Assert.Equal(FailureClass.Timeout, outcome.FailureClass);
        Assert.Equal(3, await api.CreatedPods[0].Deleted);
        Assert.Equal(["long work"], reporter.Text(0, LogStream.Stdout));

        api.OnPodCreated = async (pod, ct) =>
        {
            await StartAsync(pod, ct);
            pod.Log(pod.Marker("start:0"));
            pod.Terminated("job", 137, "Evicted", "The node was low on resource: memory.");
        };
        var evicted = await executor.RunAsync(Job([Step(0, "true")]), new RecordingJobReporter(), Ct);

        Assert.Equal(FailureClass.Infra, evicted.FailureClass);
        Assert.Contains("Evicted (exit code 137): The node was low on resource: memory.", evicted.Steps[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_check_answers_null_from_an_api_and_a_sentence_when_there_is_none()
    {
        await using var api = new FakeKubernetesApi();
        using var executor = Executor(api);
        Assert.Null(await executor.PingAsync(Ct));

        await api.DisposeAsync();
        var problem = await executor.PingAsync(Ct);
        Assert.StartsWith("the cluster's API could not be reached at http://127.0.0.1:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubeconfig_that_cannot_be_read_is_a_sentence()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Cairn.Executors.Kubernetes.KubernetesExecutor.Configuration(new() { KubeconfigPath = "/nonexistent/kubeconfig" }));
        Assert.StartsWith("the kubernetes executor could not read its cluster's settings from /nonexistent/kubeconfig", error.Message, StringComparison.Ordinal);
    }
}
