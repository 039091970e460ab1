using Cairn.Core.Execution;
using Cairn.Core.Runs;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

/// <summary>A step the job's memory limit kills fails saying so, against a real engine.</summary>
public sealed class ContainerOutOfMemoryTests : IDisposable
{
    private const long Limit = 64L * 1024 * 1024;
    private readonly TempDirectory _workspace = new();
    private readonly ContainerExecutor _executor = new(
        new ContainerExecutorOptions { EngineAddress = Engines.ContainerEngine, OwnerId = $"test-{Guid.NewGuid():N}" }, TimeProvider.System);

    public void Dispose()
    {
        _executor.Dispose();
        _workspace.Dispose();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private JobSpec Job(params StepSpec[] steps) =>
        Jobs.Job(_workspace.Path, steps, image: Engines.TestImage) with { Resources = new ResourceLimits(null, Limit) };

    [ContainerEngineFact]
    public async Task StepOverTheMemoryLimit_FailsAsScript_SayingItRanOutOfMemory()
    {
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "tail /dev/zero")), reporter, Token);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Script, outcome.FailureClass);
        Assert.Equal(137, outcome.ExitCode);
        Assert.Contains("killed: out of memory (limit 64Mi, OOMKilled)", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Failed, outcome.Steps[0].Status);
    }

    [ContainerEngineFact]
    public async Task StepKilledOtherwise_UnderAMemoryLimit_IsAnOrdinaryExit()
    {
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "kill -9 $$")), reporter, Token);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(137, outcome.ExitCode);
        Assert.DoesNotContain("out of memory", outcome.Detail ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n", 2)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", 1)]
    [InlineData("", 0)]
    public void OomKillCount_ReadsCgroupV2AndV1Counters(string counters, long expected) =>
        Assert.Equal(expected, JobContainer.OomKillCount(counters));
}
