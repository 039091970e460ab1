using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

/// <summary>A job's containers are frozen before its outcome is returned and removed after it, against a real engine
/// (Podman serving the Docker API): gone once the removals drain or the executor is disposed, and, when the removal
/// fails, removed with the next job's or by a restarted worker's sweep.</summary>
public sealed class ContainerRemovalTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly TempDirectory _sockets = new();
    private readonly string _owner = $"test-{Guid.NewGuid():N}";
    private readonly DockerEngineClient _engine = new(DockerEndpoint.Parse(Engines.ContainerEngine ?? "unix:///nowhere"));

    public void Dispose()
    {
        _engine.Dispose();
        _sockets.Dispose();
        _workspace.Dispose();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private JobSpec Job(params StepSpec[] steps) => Jobs.Job(_workspace.Path, steps, image: Engines.TestImage);

    private ContainerExecutor Executor(string address) =>
        new(new ContainerExecutorOptions { EngineAddress = address, OwnerId = _owner }, TimeProvider.System);

    private Task<IReadOnlyList<ContainerSummary>> OwnContainersAsync() => _engine.ListContainersAsync($"cairn.owner={_owner}", Token);

    [ContainerEngineFact]
    public async Task EveryJobsContainer_IsGone_OnceTheRemovalsDrain()
    {
        using var executor = Executor(Engines.ContainerEngine!);

        var outcomes = new List<JobOutcome>();
        for (var i = 0; i < ContainerRemovals.MaxPending + 2; i++)
        {
            outcomes.Add(await executor.RunAsync(Job(Jobs.Step(0, "true")), new RecordingJobReporter(), Token));
        }

        await executor.DrainRemovalsAsync();

        Assert.All(outcomes, outcome => Assert.Equal(JobStatus.Succeeded, outcome.Status));
        Assert.Empty(await OwnContainersAsync());
    }

    [ContainerEngineFact]
    public async Task WhatAStepLeftRunning_IsFrozen_BeforeTheOutcomeIsReturned()
    {
        using var executor = Executor(Engines.ContainerEngine!);

        var outcome = await executor.RunAsync(
            Job(Jobs.Step(0, "sleep 600 </dev/null >/dev/null 2>&1 & echo left running")), new RecordingJobReporter(), Token);
        var right = await OwnContainersAsync();
        await executor.DrainRemovalsAsync();

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.All(right, container => Assert.NotEqual("running", container.State));
        Assert.Empty(await OwnContainersAsync());
    }

    [ContainerEngineFact]
    public async Task ADisposedExecutor_HasRemovedTheContainersOfItsEndedJobs()
    {
        var executor = Executor(Engines.ContainerEngine!);
        var outcome = await executor.RunAsync(Job(Jobs.Step(0, "echo done")), new RecordingJobReporter(), Token);

        executor.Dispose();

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Empty(await OwnContainersAsync());
    }

    [ContainerEngineFact]
    public async Task AContainerLeftWhenTheEngineWentAway_IsSweptByTheWorkerStartedNext()
    {
        var relay = new EngineRelay(Engines.ContainerEngine!, Path.Combine(_sockets.Path, "engine.sock"));
        await using (relay)
        {
            using var crashed = Executor(relay.Address);
            var reporter = new CuttingReporter(relay.Cut);

            var outcome = await crashed.RunAsync(Job(Jobs.Step(0, "echo done")), reporter, Token);
            await crashed.DrainRemovalsAsync();

            Assert.Equal(JobStatus.Succeeded, outcome.Status);
            Assert.Single(await OwnContainersAsync());
        }

        using var restarted = Executor(Engines.ContainerEngine!);
        var swept = await restarted.SweepLeftoversAsync(Token);

        Assert.Single(swept.Containers);
        Assert.Empty(await OwnContainersAsync());
    }

    [ContainerEngineFact]
    public async Task AContainerWhoseRemovalFailed_IsRemovedWithTheNextJobs()
    {
        var socket = Path.Combine(_sockets.Path, "engine.sock");
        var relay = new EngineRelay(Engines.ContainerEngine!, socket);
        using var executor = Executor(relay.Address);

        var first = await executor.RunAsync(Job(Jobs.Step(0, "echo first")), new CuttingReporter(relay.Cut), Token);
        await executor.DrainRemovalsAsync();
        var leftBehind = await OwnContainersAsync();
        await relay.DisposeAsync();
        await using var back = new EngineRelay(Engines.ContainerEngine!, socket);
        var second = await executor.RunAsync(Job(Jobs.Step(0, "echo second")), new RecordingJobReporter(), Token);
        await executor.DrainRemovalsAsync();

        Assert.Equal((JobStatus.Succeeded, JobStatus.Succeeded), (first.Status, second.Status));
        Assert.Single(leftBehind);
        Assert.Empty(await OwnContainersAsync());
    }

    /// <summary>Cuts the way to the engine when the job's last step has finished: after the outcome, before the removal.</summary>
    private sealed class CuttingReporter(Action cut) : IJobReporter
    {
        public void Log(LogLine line)
        {
        }

        public void StepStarted(StepSpec step, DateTimeOffset at)
        {
        }

        public void StepFinished(StepSpec step, StepOutcome outcome) => cut();
    }
}
