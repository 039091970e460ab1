using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Container;

/// <summary>Runs a job in a container of its image, through a Docker Engine API: one container per job kept alive
/// for the job's length, each step an exec in it, the workspace bind-mounted at <c>/workspace</c>, services as
/// sidecars on a per-job network. Step conditions, timeouts and outcomes read as the shell executor's.</summary>
/// <remarks>A step that times out cannot be stopped alone (the API has no way to kill an exec), so the job's
/// container is killed with it; a later step that still runs (<c>always()</c>, <c>failure()</c>) gets a fresh
/// container from the same image, and a system line says so: the workspace carries over, nothing else does.</remarks>
public sealed class ContainerExecutor : IExecutor, IDisposable
{
    private readonly ContainerExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly DockerEngineClient _engine;
    private readonly ConcurrentDictionary<string, byte> _live = new(StringComparer.Ordinal);

    public ContainerExecutor(ContainerExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        Owner = options.OwnerId ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        _engine = new DockerEngineClient(options.EngineAddress is { } address ? DockerEndpoint.Parse(address) : DockerEndpoint.FromEnvironment());
    }

    public ContainerExecutor()
        : this(new ContainerExecutorOptions(), TimeProvider.System)
    {
    }

    public string Name => "container";

    /// <summary>The value of the <c>cairn.owner</c> label on everything this executor creates.</summary>
    public string Owner { get; }

    /// <summary>The engine client this executor talks through: for a ping before taking jobs.</summary>
    public DockerEngineClient Engine => _engine;

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);

        using var jobTimeout = job.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
        var ledger = new StepLedger();
        var image = job.Image ?? _options.DefaultImage;
        if (image is null)
        {
            var detail = "the container executor needs an image: set `image:` on the job";
            System(reporter, 0, $"error: {detail}");
            ledger.Halt(FailureClass.Config, detail);
            return RunSteps(job, reporter, ledger);
        }

        var container = new JobContainer(_engine, job, image, Owner, _live, _options, _time);
        try
        {
            await SetUpAsync(container, job, reporter, ledger, cancellationToken, jobTimeout.Token);
            foreach (var step in job.Steps)
            {
                var outcome = await NextStepAsync(container, job, step, reporter, ledger, jobTimeout, cancellationToken);
                ledger.Record(outcome);
                reporter.StepFinished(step, outcome);
            }
        }
        finally
        {
            if (await container.RemoveAsync() is { } leftover)
            {
                System(reporter, 0, $"warning: the job's containers could not all be removed: {leftover}");
            }
        }

        return ledger.Verdict();
    }

    /// <summary>Removes what a crashed predecessor left on the engine; see <see cref="LeftoverSweep"/> for the rule.</summary>
    public Task<SweepResult> SweepLeftoversAsync(CancellationToken cancellationToken) =>
        new LeftoverSweep(_engine, Owner, _live, _options.SweepOlderThan, _time).RunAsync(cancellationToken);

    public void Dispose() => _engine.Dispose();

    private async Task SetUpAsync(
        JobContainer container, JobSpec job, IJobReporter reporter, StepLedger ledger, CancellationToken cancellationToken, CancellationToken jobTimeout)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout);
        try
        {
            await container.StartAsync(text => System(reporter, 0, text), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The step loop sees the cancel or the job timeout and says so.
        }
        catch (ContainerEngineException error)
        {
            var detail = error is EngineUnreachableException ? error.Message : $"the job's container could not start: {error.Message}";
            System(reporter, 0, $"error: {detail}");
            ledger.Halt(FailureClass.Infra, detail);
        }
    }

    private async Task<StepOutcome> NextStepAsync(
        JobContainer container, JobSpec job, StepSpec step, IJobReporter reporter, StepLedger ledger,
        CancellationTokenSource jobTimeout, CancellationToken cancellationToken)
    {
        if (!ledger.Halted && cancellationToken.IsCancellationRequested)
        {
            ledger.Cancel();
        }
        else if (!ledger.Halted && jobTimeout.IsCancellationRequested)
        {
            ledger.Halt(FailureClass.Timeout, StepLedger.JobTimeoutDetail(job));
        }

        if (ledger.Halted)
        {
            return StepLedger.Skipped();
        }

        if (StepCondition.ShouldRun(job, step, ledger.AnyFailed, cancellationToken.IsCancellationRequested, out var invalid))
        {
            return await RunStepAsync(container, job, step, reporter, ledger, cancellationToken, jobTimeout.Token);
        }

        return invalid is null
            ? StepLedger.Skipped()
            : new StepOutcome(StepStatus.Failed, null, FailureClass.Config, null, null, $"step '{step.Name}' has an invalid condition: {invalid}");
    }

    private async Task<StepOutcome> RunStepAsync(
        JobContainer container, JobSpec job, StepSpec step, IJobReporter reporter, StepLedger ledger,
        CancellationToken cancellationToken, CancellationToken jobTimeout)
    {
        var startedAt = _time.GetUtcNow();
        reporter.StepStarted(step, startedAt);

        using var stepTimeout = step.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout, stepTimeout.Token);

        int? exitCode = null;
        try
        {
            if (container.NeedsFreshContainer)
            {
                System(reporter, step.Index, "an earlier step's timeout killed the job's container; this step runs in a fresh one from the same image (only the workspace carries over)");
                await container.RecreateAsync(stop.Token);
            }

            exitCode = await container.RunScriptAsync(step.Run, step.Env,
                (stream, text, continues) => reporter.Log(new LogLine(step.Index, stream, _time.GetUtcNow(), text) { Continues = continues }), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await container.KillAsync();
        }
        catch (ContainerEngineException error)
        {
            var detail = $"step '{step.Name}' could not start: {error.Message}";
            var now = _time.GetUtcNow();
            System(reporter, step.Index, detail);
            ledger.Halt(FailureClass.Infra, detail);
            return new StepOutcome(StepStatus.Failed, null, FailureClass.Infra, startedAt, now, detail);
        }

        return ledger.Conclude(job, step, exitCode, cancellationToken.IsCancellationRequested, jobTimeout.IsCancellationRequested, startedAt, _time.GetUtcNow());
    }

    /// <summary>Reports every step as skipped after a failure that came before any step could run.</summary>
    private static JobOutcome RunSteps(JobSpec job, IJobReporter reporter, StepLedger ledger)
    {
        foreach (var step in job.Steps)
        {
            var outcome = StepLedger.Skipped();
            ledger.Record(outcome);
            reporter.StepFinished(step, outcome);
        }

        return ledger.Verdict();
    }

    private void System(IJobReporter reporter, int stepIndex, string text) =>
        reporter.Log(new LogLine(stepIndex, LogStream.System, _time.GetUtcNow(), text));
}
