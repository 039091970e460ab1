using Cairn.Core.Execution;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Sequencing;

public sealed class StepSequencerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly RecordingReporter _reporter = new();
    private readonly ManualTimeProvider _clock = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryStepExitsZero_JobSucceeds_StepsReportedInOrder_AndTornDown()
    {
        var environment = new ScriptedJobEnvironment(_reporter);

        var outcome = await RunAsync(Job(Step(0, "exit 0"), Step(1, "exit 0")), environment);

        Assert.Equal((JobStatus.Succeeded, 0, (FailureClass?)null), (outcome.Status, outcome.ExitCode, outcome.FailureClass));
        Assert.Equal(["started a", "finished a Succeeded", "started b", "finished b Succeeded"], _reporter.Events);
        Assert.Equal(["prepare", "run a", "run b", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task FailingStep_FailsTheJobAsScript_AndOnlyStepsWhoseConditionHoldsRunAfter()
    {
        var environment = new ScriptedJobEnvironment(_reporter);
        var job = Job(
            Step(0, "exit 3"),
            Step(1, "exit 0"),
            Step(2, "exit 0", "failure()"),
            Step(3, "exit 0", "always()"),
            Step(4, "exit 0", "success()"),
            Step(5, "exit 9", "always()"));

        var outcome = await RunAsync(job, environment);

        Assert.Equal((JobStatus.Failed, 3, FailureClass.Script), (outcome.Status, outcome.ExitCode, outcome.FailureClass));
        Assert.Equal("step 'a' exited with code 3", outcome.Detail);
        Assert.Equal(
            [StepStatus.Failed, StepStatus.Skipped, StepStatus.Succeeded, StepStatus.Succeeded, StepStatus.Skipped, StepStatus.Failed],
            outcome.Steps.Select(s => s.Status));
        Assert.Equal(["prepare", "run a", "run c", "run d", "run f", "tear down"], environment.Calls);
        Assert.DoesNotContain("started b", _reporter.Events);
    }

    [Fact]
    public async Task InvalidCondition_FailsTheStepAsConfig_WithoutRunningIt()
    {
        var environment = new ScriptedJobEnvironment(_reporter);

        var outcome = await RunAsync(Job(Step(0, "exit 0", "success( &&")), environment);

        Assert.Equal((JobStatus.Failed, FailureClass.Config), (outcome.Status, outcome.FailureClass));
        Assert.StartsWith("step 'a' has an invalid condition: ", outcome.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("run a", environment.Calls);
    }

    [Fact]
    public async Task StepThatCannotStart_HaltsTheJobAsInfra_EvenForAlwaysSteps()
    {
        var environment = new ScriptedJobEnvironment(_reporter);

        var outcome = await RunAsync(Job(Step(0, "no-start"), Step(1, "exit 0", "always()")), environment);

        Assert.Equal((JobStatus.Failed, FailureClass.Infra), (outcome.Status, outcome.FailureClass));
        Assert.Equal("step 'a' could not start: the engine said no", outcome.Detail);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Contains(outcome.Detail, _reporter.System);
        Assert.Equal(["prepare", "run a", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task StepTheExecutorEnds_HaltsTheJob_WithItsClassAndExitCode()
    {
        var environment = new ScriptedJobEnvironment(_reporter);

        var outcome = await RunAsync(Job(Step(0, "end test 2"), Step(1, "exit 0", "always()")), environment);

        Assert.Equal((JobStatus.Failed, 2, FailureClass.Test), (outcome.Status, outcome.ExitCode, outcome.FailureClass));
        Assert.Equal("step 'a' failed (test)", outcome.Detail);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task StepTimeout_StopsThatStep_AndLaterAlwaysStepsStillRun()
    {
        var environment = new ScriptedJobEnvironment(_reporter);
        var job = Job(Step(0, "hang") with { Timeout = TimeSpan.FromSeconds(5) }, Step(1, "exit 0"), Step(2, "exit 0", "always()"));

        var running = RunAsync(job, environment);
        await environment.Started("a").Task.WaitAsync(Wait, Token);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var outcome = await running.WaitAsync(Wait, Token);

        Assert.Equal((JobStatus.Failed, FailureClass.Timeout, "step 'a' timed out after 5s"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped, StepStatus.Succeeded], outcome.Steps.Select(s => s.Status));
        Assert.Equal(["prepare", "run a", "stopped a", "run c", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task JobTimeout_StopsTheRunningStep_AndHaltsTheJob()
    {
        var environment = new ScriptedJobEnvironment(_reporter);
        var job = Job(Step(0, "hang"), Step(1, "exit 0", "always()")) with { Timeout = TimeSpan.FromMinutes(1) };

        var running = RunAsync(job, environment);
        await environment.Started("a").Task.WaitAsync(Wait, Token);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = await running.WaitAsync(Wait, Token);

        Assert.Equal((JobStatus.Failed, FailureClass.Timeout, "job timed out after 1m"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Equal(1, environment.TearDowns);
    }

    [Fact]
    public async Task CancelDuringAStep_StopsIt_SkipsTheRest_AndStillTearsDown()
    {
        var environment = new ScriptedJobEnvironment(_reporter);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var running = StepSequencer.RunAsync(Job(Step(0, "hang"), Step(1, "exit 0", "always()")), _reporter, environment, _clock, cancel.Token);
        await environment.Started("a").Task.WaitAsync(Wait, Token);
        await cancel.CancelAsync();
        var outcome = await running.WaitAsync(Wait, Token);

        Assert.Equal((JobStatus.Cancelled, FailureClass.Cancelled, "job was cancelled"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Equal([StepStatus.Cancelled, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Equal("step 'a' was cancelled", outcome.Steps[0].Detail);
        Assert.Equal(["prepare", "run a", "stopped a", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task CancelDuringPrepare_EndsCancelled_WithEveryStepSkipped_AndTearsDown()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var environment = new ScriptedJobEnvironment(_reporter)
        {
            Prepare = async stop =>
            {
                await cancel.CancelAsync();
                stop.ThrowIfCancellationRequested();
                return JobSetup.Ready;
            },
        };

        var outcome = await StepSequencer.RunAsync(Job(Step(0, "exit 0")), _reporter, environment, _clock, cancel.Token);

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Equal([StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Equal(["prepare", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task FailedSetup_ReportsEveryStepSkipped_WithTheSetupsClassAndDetail()
    {
        var environment = new ScriptedJobEnvironment(_reporter) { Prepare = _ => Task.FromResult(JobSetup.Failed(FailureClass.Infra, "no engine")) };

        var outcome = await RunAsync(Job(Step(0, "exit 0"), Step(1, "exit 0", "always()")), environment);

        Assert.Equal((JobStatus.Failed, FailureClass.Infra, "no engine"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Equal([StepStatus.Skipped, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Equal(["finished a Skipped", "finished b Skipped"], _reporter.Events);
        Assert.Equal(["error: no engine"], _reporter.System);
        Assert.Equal(["prepare", "tear down"], environment.Calls);
    }

    [Fact]
    public async Task SetupThatDoesNotStart_ReportsNoStep_OnlyTheJobsFailure()
    {
        var environment = new ScriptedJobEnvironment(_reporter) { Prepare = _ => Task.FromResult(JobSetup.NotStarted(FailureClass.Config, "refused")) };

        var outcome = await RunAsync(Job(Step(0, "exit 0")), environment);

        Assert.Equal((JobStatus.Failed, FailureClass.Config, "refused"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Empty(outcome.Steps);
        Assert.Empty(_reporter.Events);
        Assert.Equal(["error: refused"], _reporter.System);
        Assert.Equal(1, environment.TearDowns);
    }

    [Fact]
    public async Task TearDownThatLeavesSomethingBehind_IsReportedAsAWarning_WithoutChangingTheVerdict()
    {
        var environment = new ScriptedJobEnvironment(_reporter) { LeftOver = "container 0123: busy" };

        var outcome = await RunAsync(Job(Step(0, "exit 0")), environment);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["warning: container 0123: busy"], _reporter.System);
    }

    [Fact]
    public async Task PrepareThatThrows_StillTearsDown()
    {
        var environment = new ScriptedJobEnvironment(_reporter) { Prepare = _ => throw new InvalidOperationException("broken") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(Job(Step(0, "exit 0")), environment));

        Assert.Equal(["prepare", "tear down"], environment.Calls);
    }

    [Fact]
    public void Setup_FailsOnlyAsConfigOrInfra()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JobSetup.Failed(FailureClass.Script, "no"));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobSetup.NotStarted(FailureClass.Timeout, "no"));
        Assert.Equal(FailureClass.Config, JobSetup.NotStarted(FailureClass.Config, "no").FailureClass);
    }

    private Task<JobOutcome> RunAsync(JobSpec job, IJobEnvironment environment) =>
        StepSequencer.RunAsync(job, _reporter, environment, _clock, Token);

    private static StepSpec Step(int index, string run, string? condition = null) =>
        new(index, ((char)('a' + index)).ToString(), run, new Dictionary<string, string>(), null, condition);

    private static JobSpec Job(params StepSpec[] steps) =>
        new(1, 1, "build", 1, "/nowhere", null, null, new Dictionary<string, string>(), steps, null, ExpressionContext.Empty);
}
