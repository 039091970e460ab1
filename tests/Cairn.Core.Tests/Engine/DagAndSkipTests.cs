using Cairn.Core.Runs;
using Cairn.Executors.Fake;

namespace Cairn.Core.Tests.Engine;

public sealed class DagAndSkipTests
{
    [Fact]
    public async Task Jobs_StartOnlyAfterEveryNeedSucceeded()
    {
        const string yaml = """
            jobs:
              a: { steps: [{ run: a }] }
              b: { needs: [a], steps: [{ run: b }] }
              c: { needs: [a], steps: [{ run: c }] }
              d: { needs: [b, c], steps: [{ run: d }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor { DefaultBehavior = new FakeJobBehavior(Delay: TimeSpan.FromMilliseconds(20)) };

        var (run, jobs) = await engine.RunAsync(yaml, executor, parallel: 4);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.All(jobs.Values, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        var events = engine.Observer.Events.ToList();
        Assert.True(events.IndexOf("end a succeeded") < events.IndexOf("start b"));
        Assert.True(events.IndexOf("end a succeeded") < events.IndexOf("start c"));
        Assert.True(events.IndexOf("end b succeeded") < events.IndexOf("start d"));
        Assert.True(events.IndexOf("end c succeeded") < events.IndexOf("start d"));
    }

    [Fact]
    public async Task FailedNeed_SkipsDependents_ButAlwaysAndFailureConditionsRun()
    {
        const string yaml = """
            jobs:
              build: { steps: [{ run: build }] }
              test: { needs: [build], steps: [{ run: test }] }
              deploy: { needs: [test], steps: [{ run: deploy }] }
              notify: { needs: [deploy], if: "${{ failure() }}", steps: [{ run: notify }] }
              report: { needs: [deploy], if: "${{ always() }}", steps: [{ run: report }] }
              celebrate: { needs: [deploy], if: "success()", steps: [{ run: party }] }
              other: { steps: [{ run: other }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor().On("test", FakeJobBehavior.Fail(exitCode: 3));

        var (run, jobs) = await engine.RunAsync(yaml, executor);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(JobStatus.Succeeded, jobs["build"].Status);
        Assert.Equal(JobStatus.Failed, jobs["test"].Status);
        Assert.Equal(3, jobs["test"].ExitCode);
        Assert.Equal(FailureClass.Script, jobs["test"].FailureClass);
        Assert.Equal(JobStatus.Skipped, jobs["deploy"].Status);
        Assert.Equal(JobStatus.Succeeded, jobs["notify"].Status);
        Assert.Equal(JobStatus.Succeeded, jobs["report"].Status);
        Assert.Equal(JobStatus.Skipped, jobs["celebrate"].Status);
        Assert.Equal(JobStatus.Succeeded, jobs["other"].Status);
        Assert.Null(jobs["deploy"].StartedAt);
        Assert.Null(jobs["deploy"].FinishedAt);
    }

    [Fact]
    public async Task ConditionFalse_SkipsJob_AndItsDependents_WithoutCallingThemFailures()
    {
        const string yaml = """
            on: { manual: { inputs: { target: { default: staging } } } }
            jobs:
              deploy: { if: "inputs.target != 'none'", steps: [{ run: deploy }] }
              smoke: { needs: [deploy], steps: [{ run: smoke }] }
              on-failure: { needs: [deploy], if: "failure()", steps: [{ run: page }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor();

        var (run, jobs) = await engine.RunAsync(yaml, executor, inputs: new Dictionary<string, string> { ["target"] = "none" });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(JobStatus.Skipped, jobs["deploy"].Status);
        Assert.Equal(JobStatus.Skipped, jobs["smoke"].Status);
        Assert.Equal(JobStatus.Skipped, jobs["on-failure"].Status);
        Assert.Equal(0, executor.RunCount);
    }

    [Fact]
    public async Task ConditionTrue_WithDefaultInput_RunsJob()
    {
        const string yaml = """
            on: { manual: { inputs: { target: { default: staging } } } }
            jobs:
              deploy: { if: "inputs.target == 'staging'", steps: [{ run: deploy }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, new FakeExecutor());

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(JobStatus.Succeeded, jobs["deploy"].Status);
    }

    [Fact]
    public async Task NeedsOnAMatrixJob_WaitsForEveryCombination()
    {
        const string yaml = """
            jobs:
              test:
                matrix: { os: [debian, alpine], v: ["8", "10"] }
                steps: [{ run: t }]
              package: { needs: [test], steps: [{ run: p }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor { DefaultBehavior = new FakeJobBehavior(Delay: TimeSpan.FromMilliseconds(10)) };

        var (run, jobs) = await engine.RunAsync(yaml, executor, parallel: 3);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["test (debian, 8)", "test (debian, 10)", "test (alpine, 8)", "test (alpine, 10)", "package"], jobs.Keys);
        var events = engine.Observer.Events.ToList();
        var packageStart = events.IndexOf("start package");
        Assert.All(jobs.Keys.Where(k => k.StartsWith("test", StringComparison.Ordinal)),
            name => Assert.True(events.IndexOf($"end {name} succeeded") < packageStart, name));
    }

    [Fact]
    public async Task OneFailedCombination_SkipsTheJobThatNeedsTheMatrix()
    {
        const string yaml = """
            jobs:
              test: { matrix: { v: ["1", "2"] }, steps: [{ run: t }] }
              package: { needs: [test], steps: [{ run: p }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor().On("test (2)", FakeJobBehavior.Fail());

        var (run, jobs) = await engine.RunAsync(yaml, executor);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(JobStatus.Succeeded, jobs["test (1)"].Status);
        Assert.Equal(JobStatus.Skipped, jobs["package"].Status);
    }

    [Fact]
    public async Task Parallel_LimitsHowManyJobsRunAtOnce()
    {
        var yaml = "jobs:\n" + string.Concat(Enumerable.Range(1, 12).Select(i => $"  j{i}: {{ steps: [{{ run: x }}] }}\n"));
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor { DefaultBehavior = new FakeJobBehavior(Delay: TimeSpan.FromMilliseconds(30)) };

        var (run, _) = await engine.RunAsync(yaml, executor, parallel: 3);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(12, executor.RunCount);
        Assert.InRange(engine.Observer.MaxConcurrentJobs, 2, 3);
    }
}
