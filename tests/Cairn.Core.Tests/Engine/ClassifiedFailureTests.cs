using Cairn.Core.Runs;
using Cairn.Executors.Shell;

namespace Cairn.Core.Tests.Engine;

/// <summary>Failure classes read from real step output, stored on the job, and used by <c>retry.on</c>.</summary>
public sealed class ClassifiedFailureTests
{
    private static ShellExecutor Shell() => new(new ShellExecutorOptions(), TimeProvider.System);

    [Fact]
    public async Task FlakyTest_IsRetried_ByARuleOnTest()
    {
        const string yaml = """
            jobs:
              unit:
                retry: { max: 2, on: [test], backoff: 10ms }
                steps:
                  - run: echo compiling
                  - run: |
                      echo "collected 4 items"
                      if [ "$CAIRN_ATTEMPT" = 1 ]; then echo "===== 1 failed, 3 passed in 0.10s ====="; exit 1; fi
                      echo "===== 4 passed in 0.10s ====="
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, jobs["unit"].Attempt);
        Assert.Contains("end unit failed retry", engine.Observer.Events);
        Assert.Contains("the failure looks like test: 1 test failed (pytest)", engine.Observer.LinesOf("unit"));
    }

    [Fact]
    public async Task TestFailure_IsStoredWithItsDetail_AndARuleOnTestLeavesOtherScriptFailuresAlone()
    {
        const string yaml = """
            jobs:
              junit:
                steps:
                  - name: mvn test
                    run: |
                      echo "Tests run: 7, Failures: 2, Errors: 0, Skipped: 1"
                      exit 1
              plain:
                retry: { max: 2, on: [test], backoff: 10ms }
                steps:
                  - run: echo "something else went wrong"; exit 3
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(FailureClass.Test, jobs["junit"].FailureClass);
        Assert.Equal("2 tests failed (JUnit); step 'mvn test' exited with code 1", jobs["junit"].FailureDetail);
        Assert.Equal(FailureClass.Script, jobs["plain"].FailureClass);
        Assert.Equal(1, jobs["plain"].Attempt);
    }

    [Fact]
    public async Task OnlyTheFailedStepsOutputCounts()
    {
        const string yaml = """
            jobs:
              build:
                steps:
                  - run: 'echo "main.c:1:1: error: this line is only an echo in a passing step"'
                  - run: 'echo "no summary here"; exit 2'
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (_, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(FailureClass.Script, jobs["build"].FailureClass);
    }
}
