using Cairn.Core.Logs;
using Cairn.Core.Runs;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Kubernetes.KubernetesJobs;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>The kubernetes executor against the stand-in API running each pod's supervisor and steps for real with
/// /bin/sh (<see cref="FakePodProcess"/>): the manifests, the supervisor and the log reading end to end.</summary>
public sealed class KubernetesSupervisorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Real_steps_run_in_order_see_their_secrets_from_the_secret_and_fail_the_job_with_their_exit_code()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var env = new Dictionary<string, string> { ["TOKEN"] = "tok-value-42", ["GREETING"] = "hi" };
        var job = Job(
            [
                Step(0, "echo \"$GREETING from $(basename \"$(pwd)\")\"; printf 'no newline'"),
                Step(1, "test \"$TOKEN\" = tok-value-42 && echo token-seen; exit 4"),
                Step(2, "echo never"),
                Step(3, "echo cleanup", condition: "always()"),
            ],
            env: env, secretNames: ["TOKEN"]);

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(["hi from workspace", "no newline"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["token-seen"], reporter.Text(1, LogStream.Stdout));
        Assert.Equal(4, outcome.Steps[1].ExitCode);
        Assert.Equal(StepStatus.Skipped, outcome.Steps[2].Status);
        Assert.Equal(["cleanup"], reporter.Text(3, LogStream.Stdout));
        Assert.DoesNotContain("tok-value-42", Assert.Single(api.ReceivedPods), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the deleted pod gone (deletion with a grace ends when its containers have)", cancellationToken: Ct);
        Assert.Empty(api.Secrets);
    }

    [Fact]
    public async Task A_steps_own_timeout_is_enforced_by_the_supervisor_and_the_next_step_still_runs()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var job = Job([Step(0, "echo before; sleep 30; echo after", timeout: TimeSpan.FromSeconds(1)), Step(1, "echo next", condition: "always()")]);

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(FailureClass.Timeout, outcome.Steps[0].FailureClass);
        Assert.Equal("before", reporter.Text(0, LogStream.Stdout)[0]);
        Assert.DoesNotContain("after", reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["next"], reporter.Text(1, LogStream.Stdout));
    }

    [Fact]
    public async Task A_cancel_stops_the_real_supervisor_with_sigterm_and_keeps_what_the_step_printed()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var job = Job([Step(0, "trap 'echo got TERM; exit 143' TERM; echo waiting; while :; do sleep 0.1 || :; done")]);

        var run = executor.RunAsync(job, reporter, cancel.Token);
        await Eventually.TrueAsync(() => reporter.Text(0, LogStream.Stdout).Contains("waiting"), "the step's first line", cancellationToken: Ct);
        await cancel.CancelAsync();
        var outcome = await run;

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        // The step's shell may also say "Terminated" for the sleep the group's SIGTERM ended.
        Assert.Equal("waiting", reporter.Text(0, LogStream.Stdout)[0]);
        Assert.Equal("got TERM", reporter.Text(0, LogStream.Stdout)[^1]);
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the deleted pod gone (deletion with a grace ends when its containers have)", cancellationToken: Ct);
        Assert.Empty(api.Secrets);
    }

    [Fact]
    public async Task The_source_init_container_fetches_the_runs_commit_into_the_workspace_before_the_steps()
    {
        using var repo = new TempDirectory();
        await Git(repo.Path, "init", "-q", "-b", "main");
        repo.WriteFile("README", "from the run's commit");
        await Git(repo.Path, "add", "README");
        await Git(repo.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one");
        var sha = (await Git(repo.Path, "rev-parse", "HEAD")).Trim();
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var job = Job([Step(0, "cat README; echo; git rev-parse HEAD")]) with
        {
            Source = new Cairn.Core.Execution.JobSource(new Uri(repo.Path), sha, "job-token"),
        };

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["from the run's commit", sha], reporter.Text(0, LogStream.Stdout));
    }

    private static async Task<string> Git(string folder, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
