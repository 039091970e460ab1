using Cairn.Core.Logs;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Kubernetes;
using k8s;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>The main scenarios against a real cluster (CAIRN_TEST_KUBECONFIG): pods really scheduled, pulled, run,
/// stopped and removed.</summary>
public sealed class KubernetesClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KubernetesExecutor Executor() => new(new KubernetesExecutorOptions
    {
        KubeconfigPath = Engines.Kubeconfig,
        OwnerId = "cairn-tests",
        StopGrace = TimeSpan.FromSeconds(5),
    }, TimeProvider.System);

    private static Cairn.Core.Execution.JobSpec Job(IReadOnlyList<Cairn.Core.Execution.StepSpec> steps,
        IReadOnlyDictionary<string, string>? env = null, IReadOnlyList<string>? secretNames = null, string? image = null) =>
        Jobs.Job("/workspace", steps, env, TimeSpan.FromMinutes(5), image ?? Engines.KubernetesImage) with
        {
            RunId = Random.Shared.Next(1, 1_000_000),
            Kubernetes = new KubernetesRunnerOptions(Engines.KubernetesNamespace, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)),
            LeaseId = Guid.NewGuid(),
            SecretNames = secretNames ?? [],
        };

    [KubernetesFact]
    public async Task A_job_runs_its_steps_in_a_pod_and_leaves_nothing()
    {
        using var executor = Executor();
        var reporter = new RecordingJobReporter();
        var env = new Dictionary<string, string> { ["TOKEN"] = "cluster-secret-value" };

        var outcome = await executor.RunAsync(Job([Step(0, "echo one; pwd"), Step(1, "test \"$TOKEN\" = cluster-secret-value && echo two")], env, ["TOKEN"]), reporter, Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["one", "/workspace"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["two"], reporter.Text(1, LogStream.Stdout));
        await Eventually.TrueAsync(async () => (await executor.Client.CoreV1.ListNamespacedPodAsync(Engines.KubernetesNamespace,
            labelSelector: "cairn.owner=cairn-tests", cancellationToken: Ct)).Items.All(p => p.Metadata.DeletionTimestamp is not null), "the pod gone", cancellationToken: Ct);
        Assert.Empty((await executor.Client.CoreV1.ListNamespacedSecretAsync(Engines.KubernetesNamespace,
            labelSelector: "cairn.owner=cairn-tests", cancellationToken: Ct)).Items);
    }

    [KubernetesFact]
    public async Task A_failing_step_fails_the_job_with_its_exit_code()
    {
        using var executor = Executor();

        var outcome = await executor.RunAsync(Job([Step(0, "exit 7"), Step(1, "echo never")]), new RecordingJobReporter(), Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(7, outcome.Steps[0].ExitCode);
        Assert.Equal(StepStatus.Skipped, outcome.Steps[1].Status);
    }

    [KubernetesFact]
    public async Task An_image_that_does_not_exist_fails_the_job_as_infra()
    {
        using var executor = Executor();

        var outcome = await executor.RunAsync(Job([Step(0, "true")], image: "localhost:1/cairn/no-such-image:0"), new RecordingJobReporter(), Ct);

        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
    }

    [KubernetesFact]
    public async Task Files_go_into_a_pod_before_its_first_step_and_out_after_its_last_through_exec()
    {
        using var executor = Executor();
        var options = new KubernetesExecutorOptions { OwnerId = "cairn-tests", StopGrace = TimeSpan.FromSeconds(5) };
        var reporter = new RecordingJobReporter();
        var steps = new[] { Step(0, "cat in/hello.txt; mkdir -p out && echo made > out/file.txt") };
        var job = KubernetesFilesTests.WithFiles(Job(steps), needs: ["build"],
            artifacts: new Cairn.Core.Artifacts.ArtifactRule(["out/**"], Cairn.Core.Artifacts.ArtifactWhen.OnSuccess, null));
        await using var environment = new KubernetesJobEnvironment(executor.Client, job, reporter, options, "cairn-tests",
            new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(), TimeProvider.System);

        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        Assert.StartsWith("/", environment.HomePath, StringComparison.Ordinal);
        using (var tar = KubernetesFilesTests.Tar(("in/hello.txt", "hello from a need\n")))
        {
            await environment.ExtractAsync("/workspace", tar, Ct);
        }

        var exit = await environment.RunStepAsync(steps[0], Ct);
        using var archive = new MemoryStream();
        await environment.ArchiveAsync("/workspace", ["out", "missing"], archive, Ct);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(["hello from a need"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal("made\n", KubernetesFilesTests.Read(archive)["out/file.txt"]);
        Assert.Null(await environment.TearDownAsync(Ct));
    }

    [KubernetesFact]
    public async Task A_cancel_stops_the_pod_and_keeps_the_log()
    {
        using var executor = Executor();
        var reporter = new RecordingJobReporter();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = executor.RunAsync(Job([Step(0, "trap 'echo got TERM; exit 143' TERM; echo waiting; while :; do sleep 1; done")]), reporter, cancel.Token);
        await Eventually.TrueAsync(() => reporter.Text(0, LogStream.Stdout).Contains("waiting"), "the step's first line", TimeSpan.FromMinutes(3), Ct);
        await cancel.CancelAsync();
        var outcome = await run;

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Contains("got TERM", reporter.Text(0, LogStream.Stdout));
    }
}
