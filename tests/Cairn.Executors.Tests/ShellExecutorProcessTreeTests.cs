using System.Diagnostics;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

public sealed class ShellExecutorProcessTreeTests : IDisposable
{
    // Generous: the machine running the tests may be busy; these bound hangs, they do not measure speed.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _workspace = new();
    private readonly RecordingJobReporter _reporter = new();
    private readonly ShellExecutor _executor = new(new ShellExecutorOptions { KillGracePeriod = TimeSpan.FromSeconds(1) }, TimeProvider.System);

    public void Dispose() => _workspace.Dispose();

    /// <summary>A step that leaves a grandchild (a nested shell's background sleep) and records both pids.</summary>
    private static string NestedSleeper(string pidFile) =>
        $"bash -c 'sleep 300 & echo $! >> {pidFile}; wait' &\necho $! >> {pidFile}\nwait";

    [Fact]
    public async Task StepTimeout_KillsTheWholeTree_AndFailsWithTimeoutClass()
    {
        var pids = _workspace.Combine("pids");
        var job = Job(_workspace.Path, [Step(0, NestedSleeper(pids), name: "hang", timeout: TimeSpan.FromMilliseconds(500))]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Timeout, outcome.FailureClass);
        Assert.Equal("step 'hang' timed out after 500ms", outcome.Detail);
        Assert.Equal(StepStatus.Failed, outcome.Steps[0].Status);
        var started = ReadPids(pids);
        Assert.Equal(2, started.Count);
        Assert.All(started, pid => Assert.True(IsGone(pid), $"process {pid} outlived the step"));
    }

    [Fact]
    public async Task Cancellation_KillsTheTree_AndReturnsCancelledPromptly()
    {
        var pids = _workspace.Combine("pids");
        var job = Job(_workspace.Path, [Step(0, NestedSleeper(pids)), Step(1, "touch later", condition: null)]);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var running = _executor.RunAsync(job, _reporter, cancel.Token);
        await WaitForFileAsync(pids, TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var outcome = await running.WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.True(clock.Elapsed < Prompt);
        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Equal(FailureClass.Cancelled, outcome.FailureClass);
        Assert.Equal([StepStatus.Cancelled, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.False(File.Exists(_workspace.Combine("later")));
        Assert.All(ReadPids(pids), pid => Assert.True(IsGone(pid), $"process {pid} outlived the cancel"));
    }

    [Fact]
    public async Task Cancellation_EscalatesToSigkill_WhenTheStepIgnoresSigterm()
    {
        var ready = _workspace.Combine("ready");
        var job = Job(_workspace.Path, [Step(0, $"trap '' TERM; echo $$ > {ready}; while true; do sleep 0.1; done")]);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var running = _executor.RunAsync(job, _reporter, cancel.Token);
        await WaitForFileAsync(ready, TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        var outcome = await running.WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.All(ReadPids(ready), pid => Assert.True(IsGone(pid), $"process {pid} survived SIGKILL"));
    }

    [Fact]
    public async Task KillAllNow_SkipsTheGracePeriod_ForAStepThatIgnoresSigterm()
    {
        // A grace period far longer than the test may wait: only KillAllNow can end the step in time.
        var patient = new ShellExecutor(new ShellExecutorOptions { KillGracePeriod = TimeSpan.FromMinutes(5) }, TimeProvider.System);
        var ready = _workspace.Combine("ready");
        var job = Job(_workspace.Path, [Step(0, $"trap '' TERM; echo $$ > {ready}; while true; do sleep 0.1; done")]);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var running = patient.RunAsync(job, _reporter, cancel.Token);
        await WaitForFileAsync(ready, TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted, "the step should still be in its grace period");
        patient.KillAllNow();
        var outcome = await running.WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.All(ReadPids(ready), pid => Assert.True(IsGone(pid), $"process {pid} survived KillAllNow"));
    }

    [Fact]
    public async Task BackgroundJobLeftByAStep_DoesNotHoldTheJob_AndIsKilled()
    {
        var pids = _workspace.Combine("pids");
        var job = Job(_workspace.Path, [Step(0, $"sleep 600 &\necho $! > {pids}\necho started"), Step(1, "echo second")]);

        var clock = Stopwatch.StartNew();
        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.True(clock.Elapsed < Prompt);
        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["started"], _reporter.Text(0, Core.Logs.LogStream.Stdout));
        Assert.Equal(["second"], _reporter.Text(1, Core.Logs.LogStream.Stdout));
        Assert.True(IsGone(Assert.Single(ReadPids(pids))), "the background sleep outlived its step");
    }

    [Fact]
    public async Task StepTimeout_ThenAlwaysStep_StillRuns()
    {
        var job = Job(_workspace.Path,
        [
            Step(0, "sleep 300", name: "slow", timeout: TimeSpan.FromMilliseconds(300)),
            Step(1, "touch skipped"),
            Step(2, "touch cleaned", name: "cleanup", condition: "always()"),
        ]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(FailureClass.Timeout, outcome.FailureClass);
        Assert.Equal("step 'slow' timed out after 300ms", outcome.Detail);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped, StepStatus.Succeeded], outcome.Steps.Select(s => s.Status));
        Assert.True(File.Exists(_workspace.Combine("cleaned")));
        Assert.False(File.Exists(_workspace.Combine("skipped")));
    }

    [Fact]
    public async Task JobTimeout_StopsTheRunningStep_AndRunsNothingAfter()
    {
        var job = Job(_workspace.Path,
            [Step(0, "true"), Step(1, "sleep 300"), Step(2, "touch cleaned", condition: "always()")],
            timeout: TimeSpan.FromMilliseconds(700));

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Timeout, outcome.FailureClass);
        Assert.Equal("job timed out after 700ms", outcome.Detail);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.False(File.Exists(_workspace.Combine("cleaned")));
    }

    [Fact]
    public async Task FailedStep_ThenFailureStep_Runs_AndJobKeepsTheFirstFailure()
    {
        var job = Job(_workspace.Path,
        [
            Step(0, "exit 4", name: "test"),
            Step(1, "touch notified", condition: "failure()"),
            Step(2, "touch not-on-success", condition: "success()"),
        ]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal("step 'test' exited with code 4", outcome.Detail);
        Assert.Equal(4, outcome.ExitCode);
        Assert.Equal([StepStatus.Failed, StepStatus.Succeeded, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.True(File.Exists(_workspace.Combine("notified")));
    }

    [Fact]
    public async Task OutputPipeHeldByAnEscapedProcess_DoesNotHangTheJob()
    {
        var pids = _workspace.Combine("pids");
        var executor = new ShellExecutor(new ShellExecutorOptions { OutputDrainTimeout = TimeSpan.FromMilliseconds(300) }, TimeProvider.System);
        // setsid puts the sleep in a session of its own, out of reach of the step's group, still holding stdout.
        var job = Job(_workspace.Path, [Step(0, $"setsid sleep 30 &\necho $! > {pids}\necho bye")]);

        try
        {
            var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

            Assert.Equal(JobStatus.Succeeded, outcome.Status);
            Assert.Equal(["bye"], _reporter.Text(0, Core.Logs.LogStream.Stdout));
        }
        finally
        {
            foreach (var pid in ReadPids(pids))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task WithoutSetsid_StepTimeout_StillKillsTheTree()
    {
        using var bin = new TempDirectory();
        File.CreateSymbolicLink(bin.Combine("bash"), ShellPath("bash"));
        var executor = new ShellExecutor(new ShellExecutorOptions { SearchPath = bin.Path }, TimeProvider.System);
        var pids = _workspace.Combine("pids");
        var job = Job(_workspace.Path, [Step(0, NestedSleeper(pids), timeout: TimeSpan.FromMilliseconds(500))]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(FailureClass.Timeout, outcome.FailureClass);
        var started = ReadPids(pids);
        Assert.Equal(2, started.Count);
        Assert.All(started, pid => Assert.True(IsGone(pid), $"process {pid} outlived the step"));
    }

    private static string ShellPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, program))
            .First(File.Exists);
}
