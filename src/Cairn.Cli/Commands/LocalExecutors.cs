using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Agent;
using Cairn.Executors.Container;
using Cairn.Executors.Kubernetes;
using Cairn.Executors.Shell;

namespace Cairn.Cli.Commands;

/// <summary>How <c>cairn run</c> picks executors: by runner alias (auto), or every job on one.</summary>
internal enum ExecutorMode
{
    Auto,
    Shell,
    Container,
}

/// <summary>The executors of this process (<c>cairn run</c>, <c>cairn worker</c>, <c>cairn server</c>): always the shell,
/// the container executor when an engine answers, and for a worker or server whose runner catalog has a kubernetes alias
/// the kubernetes executor when the cluster answers. A local run asks the engine once, at the start, and only if some job
/// would run in a container; a worker always asks. Either way, containers left by a crashed cairn on this host are swept
/// first. <c>cairn run</c> never runs jobs on Kubernetes.</summary>
internal sealed class LocalExecutors : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private readonly ShellExecutor _shell;
    private ShellExecutorOptions _shellOptions = new();
    private readonly ContainerExecutor? _container;
    private readonly Dictionary<string, string> _unavailable = new(StringComparer.Ordinal);

    // Why the cluster did not answer at start, when this process keeps its executor all the same.
    private string? _clusterSilent;

    /// <summary>Why <c>cairn run</c> has no kubernetes executor, as the end of a sentence.</summary>
    public const string NoKubernetesLocally =
        "cairn run does not run jobs on Kubernetes, since their pods fetch the source from a Cairn server; 'cairn pod-spec' shows the pod such a job would run as";

    private LocalExecutors(ShellExecutor shell, ContainerExecutor? container, string? unavailable)
    {
        _shell = shell;
        _container = container;
        if (unavailable is not null)
        {
            _unavailable[ExecutorNames.Container] = unavailable;
        }
    }

    /// <summary>The kubernetes executor, when this process has one.</summary>
    public KubernetesExecutor? Kubernetes { get; private set; }

    /// <summary>Why this process has no kubernetes executor though its runners want one, or why its cluster did not
    /// answer at start, as the end of a sentence; null when all is well or none is wanted.</summary>
    public string? KubernetesProblem => Kubernetes is null ? _unavailable.GetValueOrDefault(ExecutorNames.Kubernetes) : _clusterSilent;

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
        // Jobs of one shape (matrix legs, generated graphs) share their definition text: each text is read once.
        var inContainer = new Dictionary<string, bool>(StringComparer.Ordinal);
        var needsEngine = plan.Jobs.Any(job =>
        {
            if (!inContainer.TryGetValue(job.Definition, out var container))
            {
                container = probe.Decide(job.Name, JobDefinitionJson.Deserialize(job.Definition)).Executor == ExecutorNames.Container;
                inContainer[job.Definition] = container;
            }

            return container;
        });
        var (container, problem) = needsEngine ? await ReachEngineAsync(isolation, time, cancellationToken) : ((ContainerExecutor?)null, (string?)null);
        var executors = new LocalExecutors(shell, container, problem) { _shellOptions = isolation.ShellOptions() };
        executors._unavailable[ExecutorNames.Kubernetes] = NoKubernetesLocally;
        return executors;
    }

    /// <summary>Sets up a worker's or server's executors: the container executor whenever an engine answers, and the
    /// kubernetes executor when <paramref name="kubernetes"/>'s catalog has a kubernetes alias and the cluster answers.</summary>
    public static async Task<LocalExecutors> ConnectAsync(
        StepIsolation isolation, KubernetesSetup kubernetes, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isolation);
        ArgumentNullException.ThrowIfNull(kubernetes);
        var shell = StartShell(isolation, time);
        var (container, problem) = await ReachEngineAsync(isolation, time, cancellationToken);
        var executors = new LocalExecutors(shell, container, problem) { _shellOptions = isolation.ShellOptions() };
        if (kubernetes.IsWanted)
        {
            var (cluster, unreachable) = await kubernetes.ReachAsync(time, cancellationToken);
            executors.Kubernetes = cluster;
            if (unreachable is not null && cluster is null)
            {
                executors._unavailable[ExecutorNames.Kubernetes] = unreachable;
            }

            executors._clusterSilent = cluster is null ? null : unreachable;
        }

        return executors;
    }

    // Steps of a cairn on this host that died together with its sentinel go before this one starts any.
    private static ShellExecutor StartShell(StepIsolation isolation, TimeProvider time)
    {
        var shell = new ShellExecutor(isolation.ShellOptions(), time);
        shell.SweepLeftovers();
        return shell;
    }

    /// <summary>Whether the container executor is here, and if not, why.</summary>
    public string Describe()
    {
        if (_container is null)
        {
            return Kubernetes is null
                ? $"the shell executor only ({_unavailable.GetValueOrDefault(ExecutorNames.Container, "no container engine")})"
                : $"shell and kubernetes executors ({_unavailable.GetValueOrDefault(ExecutorNames.Container, "no container engine")})";
        }

        return Kubernetes is null ? "shell and container executors" : "shell, container and kubernetes executors";
    }

    /// <summary>The warning a worker or server prints at start when its runners want Kubernetes and it has no cluster.</summary>
    public string? KubernetesWarning(KubernetesSetup kubernetes)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        if (KubernetesProblem is not { } problem)
        {
            return null;
        }

        var runners = string.Join(", ", kubernetes.Catalog.Aliases.Where(a => a.Executor == ExecutorNames.Kubernetes).Select(a => $"'{a.Name}'"));
        return Kubernetes is null
            ? $"warning: {problem}; jobs on runner {runners} fail until this process starts with a cluster that answers"
            : $"warning: {problem}; jobs on runner {runners} are still sent to it, and fail as infra (retried as such) while it does not answer";
    }

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

        if (Kubernetes is not null)
        {
            executors[ExecutorNames.Kubernetes] = Kubernetes;
        }

        return new RunnerExecutorResolver(catalog, executors)
        {
            ForcedExecutor = Forced(mode),
            Unavailable = _unavailable,
            ToleratesUnknownRunners = !strict && WithoutRunnerFile(catalog),
        };
    }

    /// <summary><see cref="Resolver"/>, with agent jobs on an agent executor whose state is under <paramref name="agentRoot"/>
    /// and whose verify steps run as this process's shell steps do.</summary>
    /// <param name="branchesInWorkspace">Keep agent branches in the workspace's repository (<c>cairn run</c>: the person's own).</param>
    /// <param name="workRoot">Where each job's worktree and HOME are made (a server: beside its workspaces, outside its data
    /// directory); null: under <paramref name="agentRoot"/>.</param>
    public IExecutorResolver WithAgents(
        RunnerCatalog catalog, ExecutorMode mode, string agentRoot, TimeProvider time, bool strict = false, bool branchesInWorkspace = false,
        string? workRoot = null) =>
        new AgentExecutorResolver(
            Resolver(catalog, mode, strict),
            new AgentExecutor(
                new AgentExecutorOptions { Root = agentRoot, WorkRoot = workRoot, Shell = _shellOptions, BranchesInWorkspace = branchesInWorkspace },
                time));

    // Without --runners a laptop knows no aliases; a pipeline written for a server still runs, with a warning.
    private static bool WithoutRunnerFile(RunnerCatalog catalog) => ReferenceEquals(catalog, RunnerCatalog.BuiltIn);

    /// <summary>Stops every step process at once; containers are stopped through the run's cancellation.</summary>
    public void KillAllNow() => _shell.KillAllNow();

    public void Dispose()
    {
        _shell.Dispose();
        _container?.Dispose();
        Kubernetes?.Dispose();
    }

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

/// <summary>A <c>publish</c> job under <c>cairn run</c>, which has no forge and no token: it says what it would push and
/// open, and succeeds. The agent's branch stays in the local repository.</summary>
internal sealed class LocalPublishExecutor(TimeProvider time) : IExecutor
{
    public string Name => "publish";

    /// <summary><paramref name="inner"/> with publish jobs sent here.</summary>
    public static IExecutorResolver Wrap(IExecutorResolver inner, TimeProvider time) => new Resolver(inner, new LocalPublishExecutor(time));

    public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        var step = job.Steps.Count > 0 ? job.Steps[0] : new StepSpec(0, "publish", "", new Dictionary<string, string>(), null, null);
        var started = time.GetUtcNow();
        reporter.StepStarted(step, started);
        var branch = job.Publish is { } publish ? AgentBranches.For(job.RunId, publish.From) : "(none)";
        var draft = job.Publish?.Draft != false ? "a draft pull request" : "a pull request";
        var into = job.Publish?.Base is { } target ? $" into {target}" : "";
        reporter.Log(new LogLine(step.Index, LogStream.Stdout, time.GetUtcNow(), $"would push {branch} and open {draft} of it{into}"));
        reporter.Log(new LogLine(step.Index, LogStream.Stdout, time.GetUtcNow(), $"cairn run does not publish: the branch {branch} stays in this repository"));
        reporter.StepFinished(step, new StepOutcome(StepStatus.Succeeded, 0, null, started, time.GetUtcNow()));
        return Task.FromResult(new JobOutcome(JobStatus.Succeeded, 0, null, null, []));
    }

    private sealed class Resolver(IExecutorResolver inner, IExecutor publish) : IExecutorResolver
    {
        public ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition) =>
            string.Equals(definition.Kind, "publish", StringComparison.Ordinal) ? ExecutorChoice.Of(publish) : inner.Resolve(job, definition);
    }
}
