using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Executors.Container;
using Cairn.Executors.Shell;

namespace Cairn.Cli.Commands;

/// <summary>How <c>cairn run</c> picks executors: by runner alias (auto), or every job on one.</summary>
internal enum ExecutorMode
{
    Auto,
    Shell,
    Container,
}

/// <summary>The executors of this process (<c>cairn run</c>, <c>cairn worker</c>): always the shell, and the container
/// executor when an engine answers. A local run asks the engine once, at the start, and only if some job would run in a
/// container; a worker always asks. Either way, containers left by a crashed cairn on this host are swept first.</summary>
internal sealed class LocalExecutors : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private readonly ShellExecutor _shell;
    private readonly ContainerExecutor? _container;
    private readonly Dictionary<string, string> _unavailable = new(StringComparer.Ordinal);

    private LocalExecutors(ShellExecutor shell, ContainerExecutor? container, string? unavailable)
    {
        _shell = shell;
        _container = container;
        if (unavailable is not null)
        {
            _unavailable[ExecutorNames.Container] = unavailable;
        }
    }

    /// <summary>Sets up what <paramref name="plan"/>'s jobs resolve to under <paramref name="catalog"/> and <paramref name="mode"/>.</summary>
    public static async Task<LocalExecutors> ConnectAsync(
        RunPlan plan, RunnerCatalog catalog, ExecutorMode mode, StepIsolation isolation, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isolation);
        var shell = StartShell(isolation, time);
        var probe = new RunnerExecutorResolver(catalog, new Dictionary<string, IExecutor>())
        {
            ForcedExecutor = Forced(mode),
            ToleratesUnknownRunners = WithoutRunnerFile(catalog),
        };
        var needsEngine = plan.Jobs.Any(job =>
            probe.Decide(job.Name, JobDefinitionJson.Deserialize(job.Definition)).Executor == ExecutorNames.Container);
        if (!needsEngine)
        {
            return new LocalExecutors(shell, null, null);
        }

        var (container, problem) = await ReachEngineAsync(isolation, time, cancellationToken);
        return new LocalExecutors(shell, container, problem);
    }

    /// <summary>Sets up a worker's executors: the container executor whenever an engine answers.</summary>
    public static async Task<LocalExecutors> ConnectAsync(StepIsolation isolation, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isolation);
        var shell = StartShell(isolation, time);
        var (container, problem) = await ReachEngineAsync(isolation, time, cancellationToken);
        return new LocalExecutors(shell, container, problem);
    }

    // Steps of a cairn on this host that died together with its sentinel go before this one starts any.
    private static ShellExecutor StartShell(StepIsolation isolation, TimeProvider time)
    {
        var shell = new ShellExecutor(isolation.ShellOptions(), time);
        shell.SweepLeftovers();
        return shell;
    }

    /// <summary>Whether the container executor is here, and if not, why.</summary>
    public string Describe() => _container is not null
        ? "shell and container executors"
        : $"the shell executor only ({_unavailable.GetValueOrDefault(ExecutorNames.Container, "no container engine")})";

    /// <summary>The resolver a local run's workers use.</summary>
    /// <param name="strict">Fail a job whose runner: names no alias (a worker), rather than run it by the built-in rule
    /// when there is no runner file (a laptop).</param>
    public RunnerExecutorResolver Resolver(RunnerCatalog catalog, ExecutorMode mode, bool strict = false)
    {
        var executors = new Dictionary<string, IExecutor>(StringComparer.Ordinal) { [ExecutorNames.Shell] = _shell };
        if (_container is not null)
        {
            executors[ExecutorNames.Container] = _container;
        }

        return new RunnerExecutorResolver(catalog, executors)
        {
            ForcedExecutor = Forced(mode),
            Unavailable = _unavailable,
            ToleratesUnknownRunners = !strict && WithoutRunnerFile(catalog),
        };
    }

    // Without --runners a laptop knows no aliases; a pipeline written for a server still runs, with a warning.
    private static bool WithoutRunnerFile(RunnerCatalog catalog) => ReferenceEquals(catalog, RunnerCatalog.BuiltIn);

    /// <summary>Stops every step process at once; containers are stopped through the run's cancellation.</summary>
    public void KillAllNow() => _shell.KillAllNow();

    public void Dispose() => _container?.Dispose();

    private static string? Forced(ExecutorMode mode) => mode switch
    {
        ExecutorMode.Shell => ExecutorNames.Shell,
        ExecutorMode.Container => ExecutorNames.Container,
        _ => null,
    };

    private static async Task<(ContainerExecutor? Executor, string? Problem)> ReachEngineAsync(
        StepIsolation isolation, TimeProvider time, CancellationToken cancellationToken)
    {
        var address = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DockerEndpoint.DefaultAddress;
        var unreachable = $"no container engine is reachable (DOCKER_HOST={address})";
        ContainerExecutor executor;
        try
        {
            executor = new ContainerExecutor(isolation.ContainerOptions(), time);
        }
        catch (FormatException ex)
        {
            return (null, $"{unreachable}: {ex.Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        EngineReachability reach;
        try
        {
            reach = await executor.Engine.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            reach = new EngineReachability(false, "it did not answer in time");
        }

        if (reach.IsReachable)
        {
            // Containers and networks of a cairn on this host that died without removing them.
            await executor.SweepLeftoversAsync(cancellationToken);
            return (executor, null);
        }

        executor.Dispose();
        return (null, unreachable);
    }
}
