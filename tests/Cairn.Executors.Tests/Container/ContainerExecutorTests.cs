using System.Diagnostics;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

/// <summary>The container executor against a real engine (Podman serving the Docker API).</summary>
public sealed class ContainerExecutorTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly string _owner = $"test-{Guid.NewGuid():N}";
    private readonly ContainerExecutor _executor;

    public ContainerExecutorTests()
    {
        _executor = new ContainerExecutor(new ContainerExecutorOptions { EngineAddress = Engines.ContainerEngine, OwnerId = _owner }, TimeProvider.System);
    }

    public void Dispose()
    {
        _executor.Dispose();
        _workspace.Dispose();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private JobSpec Job(params StepSpec[] steps) => Jobs.Job(_workspace.Path, steps, image: Engines.TestImage);

    private Task<IReadOnlyList<ContainerSummary>> OwnContainersAsync() =>
        _executor.Engine.ListContainersAsync($"cairn.owner={_owner}", Token);

    /// <summary>This executor's containers once the removals of ended jobs are over: a job's outcome comes first.</summary>
    private async Task<IReadOnlyList<ContainerSummary>> LeftOnceRemovedAsync()
    {
        await _executor.DrainRemovalsAsync();
        return await OwnContainersAsync();
    }

    [ContainerEngineFact]
    public async Task Steps_RunInsideTheJobsImage()
    {
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "cat /etc/os-release")), reporter, Token);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Contains("ID=cairn-busybox", reporter.Text(0, LogStream.Stdout));
        Assert.Empty(await LeftOnceRemovedAsync());
    }

    [ContainerEngineFact]
    public async Task Workspace_IsTheWorkingDirectory_SharedBothWays()
    {
        await File.WriteAllTextAsync(Path.Combine(_workspace.Path, "in.txt"), "from the host\n", Token);
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "pwd; cat in.txt; echo from the container > out.txt")), reporter, Token);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["/workspace", "from the host"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal("from the container\n", await File.ReadAllTextAsync(Path.Combine(_workspace.Path, "out.txt"), Token));
    }

    [ContainerEngineFact]
    public async Task JobAndStepEnv_ReachTheStep()
    {
        var job = Jobs.Job(_workspace.Path, [Jobs.Step(0, "echo \"$JOB_VALUE/$STEP_VALUE\"", env: new Dictionary<string, string> { ["STEP_VALUE"] = "b c" })],
            env: new Dictionary<string, string> { ["JOB_VALUE"] = "a" }, image: Engines.TestImage);
        var reporter = new RecordingJobReporter();

        await _executor.RunAsync(job, reporter, Token);

        Assert.Equal(["a/b c"], reporter.Text(0, LogStream.Stdout));
    }

    [ContainerEngineFact]
    public async Task FailingStep_IsAScriptFailure_WithItsExitCode_AndAlwaysStepsStillRun()
    {
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(
            Job(Jobs.Step(0, "echo before; exit 3"), Jobs.Step(1, "echo never"), Jobs.Step(2, "echo cleanup", condition: "always()")), reporter, Token);

        Assert.Equal((JobStatus.Failed, FailureClass.Script, 3), (outcome.Status, outcome.FailureClass, outcome.ExitCode));
        Assert.Equal("step 'step0' exited with code 3", outcome.Detail);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped, StepStatus.Succeeded], outcome.Steps.Select(s => s.Status));
        Assert.Equal(["cleanup"], reporter.Text(2, LogStream.Stdout));
    }

    [ContainerEngineFact]
    public async Task Stdout_AndStderr_StaySeparate()
    {
        var reporter = new RecordingJobReporter();

        await _executor.RunAsync(Job(Jobs.Step(0, "echo out1; echo err1 >&2; printf 'no newline'")), reporter, Token);

        Assert.Equal(["out1", "no newline"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["err1"], reporter.Text(0, LogStream.Stderr));
    }

    [ContainerEngineFact]
    public async Task LineOver64KiB_ArrivesInPieces_MarkedAsContinuing()
    {
        var reporter = new RecordingJobReporter();

        await _executor.RunAsync(Job(Jobs.Step(0, "head -c 70000 /dev/zero | tr '\\0' x; echo; echo next")), reporter, Token);

        var lines = reporter.Lines.Where(l => l.Stream == LogStream.Stdout).ToList();
        Assert.Equal([(65536, true), (4464, false), (4, false)], lines.Select(l => (l.Text.Length, l.Continues)));
    }

    [ContainerEngineFact]
    public async Task Resources_BecomeTheContainersCpuAndMemoryLimits()
    {
        var job = Job(Jobs.Step(0, "echo up > ready; sleep 60")) with { Resources = new ResourceLimits(0.5, 96L * 1024 * 1024) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var running = _executor.RunAsync(job, new RecordingJobReporter(), cancel.Token);

        await Processes.WaitForFileAsync(Path.Combine(_workspace.Path, "ready"), Token);
        var container = Assert.Single(await OwnContainersAsync());
        var inspected = await _executor.Engine.InspectContainerAsync(container.Id, Token);
        await cancel.CancelAsync();
        var outcome = await running;

        Assert.Equal(96L * 1024 * 1024, inspected.HostConfig?.Memory);
        Assert.Equal(500_000_000, inspected.HostConfig?.NanoCpus);
        Assert.Equal(JobStatus.Cancelled, outcome.Status);
    }

    [ContainerEngineFact]
    public async Task Cancel_StopsAndRemovesTheContainer_WithinSeconds()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var reporter = new RecordingJobReporter();
        var running = _executor.RunAsync(Job(Jobs.Step(0, "echo up > ready; sleep 60"), Jobs.Step(1, "echo after")), reporter, cancel.Token);
        await Processes.WaitForFileAsync(Path.Combine(_workspace.Path, "ready"), Token);

        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var outcome = await running;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(JobStatus.Cancelled, outcome.Status);
        Assert.Equal([StepStatus.Cancelled, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Empty(await LeftOnceRemovedAsync());
    }

    [ContainerEngineFact]
    public async Task StepTimeout_KillsTheContainer_AndALaterAlwaysStepGetsAFreshOne()
    {
        var reporter = new RecordingJobReporter();
        var clock = Stopwatch.StartNew();

        var outcome = await _executor.RunAsync(
            Job(Jobs.Step(0, "echo kept > kept.txt; echo lost > /tmp/lost.txt; sleep 60", timeout: TimeSpan.FromSeconds(2)),
                Jobs.Step(1, "cat kept.txt; test ! -e /tmp/lost.txt && echo fresh", condition: "always()")),
            reporter, Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal((JobStatus.Failed, FailureClass.Timeout), (outcome.Status, outcome.FailureClass));
        Assert.Equal("step 'step0' timed out after 2s", outcome.Steps[0].Detail);
        Assert.Equal(StepStatus.Succeeded, outcome.Steps[1].Status);
        Assert.Equal(["kept", "fresh"], reporter.Text(1, LogStream.Stdout));
        Assert.Contains(reporter.Text(1, LogStream.System), line => line.Contains("fresh one", StringComparison.Ordinal));
        Assert.Empty(await LeftOnceRemovedAsync());
    }

    [ContainerEngineFact]
    public async Task JobTimeout_StopsTheJob_AndRemovesTheContainer()
    {
        var job = Job(Jobs.Step(0, "sleep 60"), Jobs.Step(1, "echo never", condition: "always()")) with { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();

        var outcome = await _executor.RunAsync(job, new RecordingJobReporter(), Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal((JobStatus.Failed, FailureClass.Timeout, "job timed out after 2s"), (outcome.Status, outcome.FailureClass, outcome.Detail));
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Empty(await LeftOnceRemovedAsync());
    }

    [ContainerEngineFact]
    public async Task MissingImage_FailsAsInfra_WithTheEnginesOwnMessage()
    {
        var job = Jobs.Job(_workspace.Path, [Jobs.Step(0, "true")], image: "localhost/cairn-test/missing:1");
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(job, reporter, Token);

        Assert.Equal((JobStatus.Failed, FailureClass.Infra), (outcome.Status, outcome.FailureClass));
        const string Ours = "the job's container could not start: image 'localhost/cairn-test/missing:1' could not be pulled: ";
        Assert.StartsWith(Ours, outcome.Detail);
        Assert.True(outcome.Detail!.Length > Ours.Length + 10, outcome.Detail);
        Assert.Equal([StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
        Assert.Contains(reporter.Text(0, LogStream.System), line => line == $"error: {outcome.Detail}");
    }

    [ContainerEngineFact]
    public async Task Services_AreReachableByTheirName_AndRemovedWithTheJob()
    {
        var service = new ServiceSpec("greeter", Engines.TestImage, new Dictionary<string, string>(), ["nc", "-ll", "-p", "8080", "-e", "echo", "hello"]);
        var job = Job(Jobs.Step(0, "for i in $(seq 1 100); do nc greeter 8080 </dev/null && exit 0; sleep 0.1; done; exit 1")) with { Services = [service] };
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(job, reporter, Token);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Contains("hello", reporter.Text(0, LogStream.Stdout));
        Assert.Empty(await LeftOnceRemovedAsync());
        Assert.Empty(await _executor.Engine.ListNetworksAsync($"cairn.owner={_owner}", Token));
    }

    [ContainerEngineFact]
    public async Task ServiceThatCannotStart_FailsAsInfra_NamingTheService()
    {
        var service = new ServiceSpec("db", "localhost/cairn-test/missing:1", new Dictionary<string, string>());
        var job = Job(Jobs.Step(0, "true")) with { Services = [service] };

        var outcome = await _executor.RunAsync(job, new RecordingJobReporter(), Token);

        Assert.Equal((JobStatus.Failed, FailureClass.Infra), (outcome.Status, outcome.FailureClass));
        Assert.StartsWith("the job's container could not start: service 'db' could not start: ", outcome.Detail);
        Assert.Empty(await LeftOnceRemovedAsync());
        Assert.Empty(await _executor.Engine.ListNetworksAsync($"cairn.owner={_owner}", Token));
    }

    [ContainerEngineFact]
    public async Task Sweep_RemovesWhatThisOwnerLeft_AndNothingElse()
    {
        var job = Job(Jobs.Step(0, "true"));
        var engine = _executor.Engine;
        var leftover = await engine.CreateContainerAsync(ContainerRequests.Name(job), ContainerRequests.JobContainer(job, Engines.TestImage, _owner, null), Token);
        await engine.StartContainerAsync(leftover, Token);
        var foreign = await engine.CreateContainerAsync(
            ContainerRequests.Name(job), ContainerRequests.JobContainer(job, Engines.TestImage, $"other-{_owner}", null), Token);
        try
        {
            var swept = await _executor.SweepLeftoversAsync(Token);

            Assert.Single(swept.Containers);
            Assert.Empty(await LeftOnceRemovedAsync());
            Assert.Single(await engine.ListContainersAsync($"cairn.owner=other-{_owner}", Token));
        }
        finally
        {
            await engine.RemoveContainerAsync(foreign, Token);
        }
    }

    [ContainerEngineFact]
    public async Task ImageWithoutBash_RunsStepsWithShE_SoAFailingCommandStopsTheStep()
    {
        var reporter = new RecordingJobReporter();

        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "echo $0; false; echo not reached")), reporter, Token);

        Assert.Equal((JobStatus.Failed, 1), (outcome.Status, outcome.ExitCode));
        Assert.Equal(["sh"], reporter.Text(0, LogStream.Stdout));
    }

    [ContainerEngineFact]
    public async Task ALaterJobOfTheSameImage_RunsWithTheShellFoundForTheFirst()
    {
        var first = new RecordingJobReporter();
        var second = new RecordingJobReporter();

        await _executor.RunAsync(Job(Jobs.Step(0, "echo $0")), first, Token);
        var outcome = await _executor.RunAsync(Job(Jobs.Step(0, "echo $0; false; echo not reached")), second, Token);

        Assert.Equal(["sh"], first.Text(0, LogStream.Stdout));
        Assert.Equal((JobStatus.Failed, 1), (outcome.Status, outcome.ExitCode));
        Assert.Equal(["sh"], second.Text(0, LogStream.Stdout));
    }

    [ContainerEngineFact]
    public async Task Ping_ReachesTheEngine()
    {
        var reachability = await _executor.Engine.PingAsync(Token);

        Assert.True(reachability.IsReachable, reachability.Problem);
    }
}
