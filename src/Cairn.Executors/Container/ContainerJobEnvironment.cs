using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runners;
using Cairn.Core.Runs;

namespace Cairn.Executors.Container;

/// <summary>One job on a container engine: its <see cref="JobContainer"/> (services, network, the container its steps
/// run in as execs) made before the first step and removed after the last, whatever happened.</summary>
internal sealed class ContainerJobEnvironment(
    DockerEngineClient engine,
    JobSpec job,
    IJobReporter reporter,
    string owner,
    ConcurrentDictionary<string, byte> live,
    ContainerExecutorOptions options,
    TimeProvider time,
    ImageShells? shells = null,
    ContainerRemovals? removals = null) : IJobEnvironment, IEnvironmentFiles
{
    private JobContainer? _container;
    private ContainerFiles? _files;

    public string WorkspacePath => ContainerRequests.WorkspacePath;

    public string HomePath => _files?.Home ?? throw new InvalidOperationException("the job's container was never prepared");

    public async Task<JobSetup> PrepareAsync(CancellationToken cancellationToken)
    {
        var image = job.Image ?? options.DefaultImage;
        if (image is null)
        {
            return JobSetup.Failed(FailureClass.Config, "the container executor needs an image: set `image:` on the job");
        }

        _container = new JobContainer(engine, job, image, owner, live, options, time, shells);
        try
        {
            await _container.StartAsync(text => System(0, text), cancellationToken);
            _files = new ContainerFiles(engine, _container, job.Workspace);
            if (job.Files is { IsEmpty: false })
            {
                // Only artifacts and caches need the user's HOME, uid and gid, and asking costs an exec.
                await _files.LearnUserAsync(cancellationToken);
            }

            return JobSetup.Ready;
        }
        catch (ContainerEngineException error)
        {
            return JobSetup.Failed(FailureClass.Infra,
                error is EngineUnreachableException ? error.Message : $"the job's container could not start: {error.Message}");
        }
    }

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(step);
        var container = _container ?? throw new InvalidOperationException("the job's container was never prepared");
        try
        {
            if (container.NeedsFreshContainer)
            {
                System(step.Index, "an earlier step's timeout killed the job's container; this step runs in a fresh one from the same image (only the workspace carries over)");
                await container.RecreateAsync(stop);
            }

            var exitCode = await container.RunScriptAsync(step.Run, step.Env,
                (stream, text, continues) => reporter.Log(new LogLine(step.Index, stream, time.GetUtcNow(), text) { Continues = continues }), stop);
            if (exitCode is not { } code)
            {
                return StepExit.Stopped;
            }

            return await container.KilledByMemoryLimitAsync(code)
                ? StepExit.Failed(FailureClass.Script, code, $"killed: out of memory (limit {ResourceQuantity.FormatMemory(job.Resources!.MemoryBytes!.Value)}, OOMKilled)")
                : StepExit.Exited(code);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await container.KillAsync();
            return StepExit.Stopped;
        }
        catch (ContainerEngineException error)
        {
            return StepExit.NotStarted(error.Message);
        }
    }

    /// <summary>Freezes what still runs in the job's container and hands its containers to <paramref name="removals"/>,
    /// when given and not full, and returns; else removes them before returning.</summary>
    public async Task<string?> TearDownAsync(CancellationToken cancellationToken)
    {
        if (_container is null)
        {
            return null;
        }

        if (removals is { HasRoom: true } && await _container.FreezeAsync() && removals.TryStart(_container))
        {
            return null;
        }

        if (await _container.RemoveAsync() is not { } leftover)
        {
            return null;
        }

        removals?.RetryLater(_container);
        return $"the job's containers could not all be removed: {leftover}";
    }

    public Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken) =>
        Files().ExtractAsync(directory, tar, cancellationToken);

    public Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken) =>
        Files().ArchiveAsync(directory, subpaths, destination, cancellationToken);

    private ContainerFiles Files() => _files ?? throw new InvalidOperationException("the job's container was never prepared");

    private void System(int stepIndex, string text) =>
        reporter.Log(new LogLine(stepIndex, LogStream.System, time.GetUtcNow(), text));
}
