using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

public sealed class ShellExecutorOutcomeTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly RecordingJobReporter _reporter = new();
    private readonly ShellExecutor _executor = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task AllStepsExitZero_JobSucceeds_AndStepsRunInOrderInTheWorkspace()
    {
        var job = Job(_workspace.Path, [Step(0, "echo one > order"), Step(1, "echo two >> order")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Null(outcome.FailureClass);
        Assert.All(outcome.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(["one", "two"], File.ReadAllLines(_workspace.Combine("order")));
        Assert.Equal(["started step0", "finished step0 Succeeded", "started step1", "finished step1 Succeeded"], _reporter.Events);
    }

    [Fact]
    public async Task NonZeroExit_FailsJobWithScriptClass_AndSkipsLaterSteps()
    {
        var job = Job(_workspace.Path, [Step(0, "true"), Step(1, "exit 3", name: "compile"), Step(2, "touch ran")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Script, outcome.FailureClass);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("step 'compile' exited with code 3", outcome.Detail);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Equal(3, outcome.Steps[1].ExitCode);
        Assert.False(File.Exists(_workspace.Combine("ran")));
        Assert.DoesNotContain("started step2", _reporter.Events);
        Assert.Contains("finished step2 Skipped", _reporter.Events);
    }

    [Fact]
    public async Task Bash_FailsOnFirstFailingCommand_AndOnPipelineFailure()
    {
        var job = Job(_workspace.Path, [Step(0, "false | cat\ntouch after-pipe")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.False(File.Exists(_workspace.Combine("after-pipe")));
    }

    [Fact]
    public async Task Environment_IsLayered_HostThenJobThenStep()
    {
        var jobEnv = new Dictionary<string, string> { ["LAYER"] = "job", ["JOB_ONLY"] = "j", ["CAIRN_RUN_ID"] = "42" };
        var stepEnv = new Dictionary<string, string> { ["LAYER"] = "step" };
        var job = Job(_workspace.Path,
            [Step(0, "echo \"$LAYER $JOB_ONLY $CAIRN_RUN_ID\"; test -n \"$PATH\" && echo has-path", env: stepEnv)],
            env: jobEnv);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["step j 42", "has-path"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task HostEnvironment_IsLeftOut_WhenClean()
    {
        var executor = new ShellExecutor(new ShellExecutorOptions { Environment = StepEnvironmentPolicy.CleanDefault }, TimeProvider.System);
        var job = Job(_workspace.Path, [Step(0, "echo \"home-is-host=$([ \"$HOME\" = \"$HOST_HOME\" ] && echo yes || echo no) mine=$MINE\"")],
            env: new Dictionary<string, string> { ["MINE"] = "yes", ["HOST_HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "" });

        await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(["home-is-host=no mine=yes"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task ForceSh_RunsStepsWithSh_AndStillStopsOnError()
    {
        var executor = new ShellExecutor(new ShellExecutorOptions { ForceSh = true }, TimeProvider.System);
        var job = Job(_workspace.Path, [Step(0, "echo \"${BASH_VERSION:-no-bash}\"\nfalse\ntouch after")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(["no-bash"], _reporter.Text(0, LogStream.Stdout));
        Assert.False(File.Exists(_workspace.Combine("after")));
    }

    [Fact]
    public async Task MissingWorkspace_FailsJobAsInfra_WithAClearMessage()
    {
        var missing = _workspace.Combine("not-there");
        var job = Job(missing, [Step(0, "true", name: "build"), Step(1, "true")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Equal($"step 'build' could not start: workspace directory '{missing}' does not exist", outcome.Detail);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Contains(_reporter.Lines, l => l.Stream == LogStream.System && l.Text == outcome.Detail);
    }

    [Fact]
    public async Task NoShellOnSearchPath_FailsJobAsInfra()
    {
        using var emptyBin = new TempDirectory();
        var executor = new ShellExecutor(new ShellExecutorOptions { SearchPath = emptyBin.Path }, TimeProvider.System);
        var job = Job(_workspace.Path, [Step(0, "true")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains("no shell found", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_IsReportedOnce_AsAWarningThatItIsIgnored()
    {
        var job = Job(_workspace.Path, [Step(0, "true"), Step(1, "true")], image: "debian:12");

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var warning = Assert.Single(_reporter.Lines, l => l.Stream == LogStream.System);
        Assert.Equal("warning: the shell executor ignores image 'debian:12'; steps run on this host", warning.Text);
    }

    [Fact]
    public async Task StepReadingStdin_SeesEndOfFile_InsteadOfHanging()
    {
        var job = Job(_workspace.Path, [Step(0, "cat; echo read-done")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["read-done"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task Condition_ReadsTheJobContext()
    {
        var context = new ExpressionContext(
            new Dictionary<string, string> { ["os"] = "linux" },
            new Dictionary<string, string> { ["DEPLOY"] = "no" },
            new Dictionary<string, string>());
        var job = Job(_workspace.Path,
            [Step(0, "echo linux", condition: "matrix.os == 'linux'"), Step(1, "echo deploy", condition: "env.DEPLOY == 'yes'")])
            with { Context = context };

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task InvalidCondition_FailsTheStepAsConfig_WithoutRunningIt()
    {
        var job = Job(_workspace.Path, [Step(0, "touch ran", name: "odd", condition: "success( &&")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Config, outcome.FailureClass);
        Assert.StartsWith("step 'odd' has an invalid condition: ", outcome.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(_workspace.Combine("ran")));
    }
}
