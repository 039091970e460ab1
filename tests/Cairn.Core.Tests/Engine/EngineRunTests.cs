using Cairn.Core.Runs;
using Cairn.Executors.Fake;
using Cairn.Executors.Shell;

namespace Cairn.Core.Tests.Engine;

public sealed class EngineRunTests
{
    private static ShellExecutor Shell() => new(new ShellExecutorOptions(), TimeProvider.System);

    [Fact]
    public async Task Steps_SeeCairnVariables_AndLayeredEnv_AsEnvironmentOnly()
    {
        const string yaml = """
            env: { LEVEL: pipeline, KEEP: pipeline }
            jobs:
              test:
                matrix: { os: [debian] }
                env: { LEVEL: job, TARGET: "${{ matrix.os }}-x" }
                steps:
                  - env: { LEVEL: step }
                    run: |
                      echo "level=$LEVEL keep=$KEEP target=$TARGET"
                      echo "job=$CAIRN_JOB run=$CAIRN_RUN_ID attempt=$CAIRN_ATTEMPT event=$CAIRN_EVENT"
                      echo "ref=$CAIRN_REF branch=$CAIRN_BRANCH sha=$CAIRN_SHA repo=$CAIRN_REPOSITORY"
                      echo "matrix=$CAIRN_MATRIX_OS ci=$CI ws=$CAIRN_WORKSPACE"
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var lines = engine.Observer.LinesOf("test (debian)");
        Assert.Contains("level=step keep=pipeline target=debian-x", lines);
        Assert.Contains($"job=test (debian) run={run.Id} attempt=1 event=manual", lines);
        Assert.Contains("ref=refs/heads/main branch=main sha=0123456789abcdef0123456789abcdef01234567 repo=acme/widgets", lines);
        Assert.Contains($"matrix=debian ci=true ws={engine.Workspace}", lines);
        Assert.Equal(JobStatus.Succeeded, jobs["test (debian)"].Status);
    }

    [Fact]
    public async Task LogLines_AreStored_NumberedFromOne_WithSecretsMasked()
    {
        const string yaml = """
            jobs:
              publish:
                secrets: [TOKEN]
                steps:
                  - run: |
                      echo "first"
                      echo "token is $TOKEN"
                      echo "err line" >&2
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (_, jobs) = await engine.RunAsync(yaml, Shell(), secrets: new Dictionary<string, string> { ["TOKEN"] = "s3cr3t-value" });

        var stored = await engine.Store.ReadLogAsync(jobs["publish"].Id, 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(l => l.Sequence));
        Assert.Contains(stored, l => l.Text == "token is ***");
        Assert.Contains(stored, l => l.Text == "err line" && l.Stream == Logs.LogStream.Stderr);
        Assert.DoesNotContain(stored, l => l.Text.Contains("s3cr3t-value", StringComparison.Ordinal));
        Assert.DoesNotContain(engine.Observer.LinesOf("publish"), l => l.Contains("s3cr3t-value", StringComparison.Ordinal));
        var steps = await engine.Store.GetStepsAsync(jobs["publish"].Id, CancellationToken.None);
        Assert.Equal(StepStatus.Succeeded, Assert.Single(steps).Status);
    }

    [Fact]
    public async Task MissingSecret_FailsJobAsConfig_BeforeAnyStep_AndIsNotRetried()
    {
        const string yaml = """
            jobs:
              publish: { secrets: [NUGET_TOKEN], steps: [{ run: echo never }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor();

        var (run, jobs) = await engine.RunAsync(yaml, executor);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(FailureClass.Config, jobs["publish"].FailureClass);
        Assert.Equal("secret 'NUGET_TOKEN' is not defined for acme/widgets", jobs["publish"].FailureDetail);
        Assert.Equal(1, jobs["publish"].Attempt);
        Assert.Equal(0, executor.RunCount);
    }

    [Fact]
    public async Task InfraFailure_IsRetriedOnceByDefault()
    {
        const string yaml = "jobs:\n  flaky: { steps: [{ run: x }] }\n";
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor().On("flaky", FakeJobBehavior.Fail(FailureClass.Infra));

        var (run, jobs) = await engine.RunAsync(yaml, executor);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(2, executor.RunCount);
        Assert.Equal(2, jobs["flaky"].Attempt);
        Assert.Equal(FailureClass.Infra, jobs["flaky"].FailureClass);
    }

    [Fact]
    public async Task RetryRule_RetriesListedClasses_UpToMax_ThenSucceeds()
    {
        const string yaml = """
            jobs:
              flaky:
                retry: { max: 2, on: [script], backoff: 10ms }
                steps:
                  - run: |
                      n=$(cat attempts 2>/dev/null || echo 0); n=$((n+1)); echo $n > attempts
                      echo "attempt $CAIRN_ATTEMPT"
                      [ "$n" -ge 3 ]
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(3, jobs["flaky"].Attempt);
        Assert.Equal(["attempt 1", "attempt 2", "attempt 3"], engine.Observer.LinesOf("flaky").Where(l => l.StartsWith("attempt ", StringComparison.Ordinal) && l.Length == 9));
        var stored = await engine.Store.ReadLogAsync(jobs["flaky"].Id, 0, 100, CancellationToken.None);
        Assert.Equal(stored.Select(l => l.Sequence).Distinct().Count(), stored.Count);
    }

    [Fact]
    public async Task ScriptFailure_IsNotRetried_WithoutARule()
    {
        const string yaml = "jobs:\n  broken: { steps: [{ run: exit 4 }] }\n";
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, jobs["broken"].Attempt);
        Assert.Equal(4, jobs["broken"].ExitCode);
        Assert.Equal(FailureClass.Script, jobs["broken"].FailureClass);
    }

    [Fact]
    public async Task Cancelling_KillsRunningJobs_CancelsWaitingOnes_AndEndsTheRunCancelled()
    {
        const string yaml = """
            jobs:
              slow: { steps: [{ run: "sleep 30" }] }
              after: { needs: [slow], if: "always()", steps: [{ run: echo after }] }
            """;
        await using var engine = await EngineHarness.CreateAsync();
        using var cancel = new CancellationTokenSource();
        var started = Task.Run(async () =>
        {
            await Eventually.TrueAsync(
                () => engine.Observer.Events.Any(e => e.StartsWith("step slow", StringComparison.Ordinal)), "step slow to start", cancellationToken: TestContext.Current.CancellationToken);

            await Task.Delay(200, TestContext.Current.CancellationToken);
            await cancel.CancelAsync();
        }, TestContext.Current.CancellationToken);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (run, jobs) = await engine.RunAsync(yaml, Shell(), cancel: cancel);
        await started;

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal(JobStatus.Cancelled, jobs["slow"].Status);
        Assert.Equal(FailureClass.Cancelled, jobs["slow"].FailureClass);
        Assert.Equal(JobStatus.Cancelled, jobs["after"].Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }
}
