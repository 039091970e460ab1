using System.Collections.Concurrent;
using Cairn.Core.Execution;

namespace Cairn.Executors.Container;

/// <summary>Runs a job in a container of its image, through a Docker Engine API: one container per job kept alive
/// for the job's length, each step an exec in it, the workspace bind-mounted at <c>/workspace</c>, services as
/// sidecars on a per-job network. <see cref="StepSequencer"/> drives the steps, as for every executor. The job's
/// containers are removed just after its outcome is returned (<see cref="DrainRemovalsAsync"/> waits for that).</summary>
/// <remarks>A step that times out cannot be stopped alone (the API has no way to kill an exec), so the job's
/// container is killed with it; a later step that still runs (<c>always()</c>, <c>failure()</c>) gets a fresh
/// container from the same image, and a system line says so: the workspace carries over, nothing else does.</remarks>
public sealed class ContainerExecutor : IExecutor, IDisposable
{
    private readonly ContainerExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly DockerEngineClient _engine;
    private readonly ConcurrentDictionary<string, byte> _live = new(StringComparer.Ordinal);
    private readonly ImageShells _shells = new();
    private readonly ContainerRemovals _removals = new();

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

    public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        var environment = new ContainerJobEnvironment(_engine, job, reporter, Owner, _live, _options, _time, _shells, _removals);
        return StepSequencer.RunAsync(job, reporter, environment, _time, cancellationToken);
    }

    /// <summary>Removes what a crashed predecessor left on the engine; see <see cref="LeftoverSweep"/> for the rule.</summary>
    public Task<SweepResult> SweepLeftoversAsync(CancellationToken cancellationToken) =>
        new LeftoverSweep(_engine, Owner, _live, _options.SweepOlderThan, _time).RunAsync(cancellationToken);

    /// <summary>Completes when the containers of every job that has ended are removed, or their removal failed (the
    /// next job's removal and the sweep try again). A job's <see cref="RunAsync"/> returns with its outcome, before its
    /// container is removed; see <see cref="ContainerRemovals"/>.</summary>
    public Task DrainRemovalsAsync() => _removals.DrainAsync();

    /// <summary>Waits for the removals still running (each bounded by <see cref="ContainerExecutorOptions.CleanupTimeout"/>),
    /// then lets go of the engine.</summary>
    public void Dispose()
    {
        _removals.DrainAsync().GetAwaiter().GetResult();
        _engine.Dispose();
    }
}
