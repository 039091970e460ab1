using Cairn.Core.Runs;
using Cairn.Executors.Fake;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

public sealed class FakeExecutorTests
{
    private readonly RecordingJobReporter _reporter = new();

    [Fact]
    public async Task UnconfiguredJob_Succeeds_WithEveryStepReported()
    {
        var executor = new FakeExecutor();
        var job = Job("/nowhere", [Step(0, "make"), Step(1, "make test")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], outcome.Steps.Select(s => s.Status));
        Assert.Equal(["started step0", "finished step0 Succeeded", "started step1", "finished step1 Succeeded"], _reporter.Events);
        Assert.Equal(1, executor.RunCount);
    }

    [Fact]
    public async Task ConfiguredFailure_IsReturned_ForThatJobName()
    {
        var executor = new FakeExecutor().On("build", FakeJobBehavior.Fail(FailureClass.Test, exitCode: 2));
        var job = Job("/nowhere", [Step(0, "make"), Step(1, "make test")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Test, outcome.FailureClass);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task Delay_IsCutShort_ByCancellation()
    {
        var executor = new FakeExecutor { DefaultBehavior = new FakeJobBehavior(Delay: TimeSpan.FromMinutes(10)) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var job = Job("/nowhere", [Step(0, "make")]);

        var running = executor.RunAsync(job, _reporter, cancel.Token);
        await cancel.CancelAsync();
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Equal(FailureClass.Cancelled, outcome.FailureClass);
        Assert.Equal(StepStatus.Cancelled, outcome.Steps[0].Status);
    }

    [Fact]
    public async Task Delay_UsesTheInjectedClock()
    {
        var clock = new ManualTimeProvider();
        var executor = new FakeExecutor(clock) { DefaultBehavior = new FakeJobBehavior(Delay: TimeSpan.FromSeconds(30)) };
        var job = Job("/nowhere", [Step(0, "make")]);

        var running = executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(clock.GetUtcNow(), outcome.Steps[0].FinishedAt);
    }
}
