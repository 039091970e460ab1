using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Kubernetes;

namespace Cairn.Cli.Commands;

/// <summary>What a server or worker process needs to reach a cluster: its runner catalog (only a catalog with an alias
/// on <c>executor: kubernetes</c> makes the process reach one), the kubeconfig it was given and the owner of what it
/// makes there.</summary>
/// <param name="Kubeconfig">The <c>--kubeconfig</c> file; null: <c>KUBECONFIG</c>, the in-cluster service account or
/// <c>~/.kube/config</c>, as <see cref="KubernetesExecutor.Configuration"/> looks.</param>
/// <param name="Owner">The <c>cairn.owner</c> label of this process's pods and Secrets, stable across restarts, so that
/// the janitor of the next process on this host finds what this one left.</param>
internal sealed record KubernetesSetup(RunnerCatalog Catalog, string? Kubeconfig, string Owner)
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The owner of a server's pods: <c>server-HOST</c>.</summary>
    public static string ServerOwner => $"server-{Environment.MachineName}";

    /// <summary>The owner of a worker's pods: <c>worker-HOST</c>. Several workers on one host may share it: the janitor
    /// removes only what a lease that no longer lives left, whichever process made it.</summary>
    public static string WorkerOwner => $"worker-{Environment.MachineName}";

    /// <summary>The namespaces of the catalog's kubernetes aliases: where the janitor looks.</summary>
    public IReadOnlyList<string> Namespaces =>
    [
        .. Catalog.Aliases.Where(a => a.Executor == ExecutorNames.Kubernetes && a.Kubernetes is not null)
            .Select(a => a.Kubernetes!.Namespace).Distinct(StringComparer.Ordinal),
    ];

    /// <summary>Whether any alias runs its jobs on Kubernetes.</summary>
    public bool IsWanted => Catalog.Aliases.Any(a => a.Executor == ExecutorNames.Kubernetes);

    /// <summary>A usage problem with <paramref name="kubeconfig"/> (a file that is not there), or null.</summary>
    public static string? Problem(string? kubeconfig) =>
        kubeconfig is not null && !File.Exists(kubeconfig) ? $"--kubeconfig: there is no kubeconfig file {Path.GetFullPath(kubeconfig)}" : null;

    /// <summary>The executor, and why the cluster did not answer at start (as the end of a sentence) when it did not. A
    /// cluster that does not answer yet keeps its executor: its jobs fail as <c>infra</c> (and are retried as such) while
    /// it stays away, and run once it is back, without a restart. Only settings that cannot be read give no executor.</summary>
    public async Task<(KubernetesExecutor? Executor, string? Problem)> ReachAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var unreachable = $"no Kubernetes API is reachable ({Source()})";
        KubernetesExecutor executor;
        try
        {
            executor = new KubernetesExecutor(new KubernetesExecutorOptions { KubeconfigPath = Kubeconfig, OwnerId = Owner }, time);
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException or UriFormatException or IOException)
        {
            return (null, $"{unreachable}: {error.Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        string? problem;
        try
        {
            problem = await executor.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = "it did not answer in time";
        }

        return (executor, problem is null ? null : $"{unreachable}: {problem}");
    }

    /// <summary>Where the cluster's settings come from, for a message.</summary>
    private string Source()
    {
        if (Kubeconfig is not null)
        {
            return $"kubeconfig {Path.GetFullPath(Kubeconfig)}";
        }

        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } env)
        {
            return $"kubeconfig {env.Split(Path.PathSeparator)[0]} from KUBECONFIG";
        }

        return Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }
            ? "the pod's service account"
            : "kubeconfig ~/.kube/config";
    }

    /// <summary>Runs <paramref name="executor"/>'s janitor over <see cref="Namespaces"/> until <paramref name="stopping"/>:
    /// one line to <paramref name="log"/> per sweep that removed something, a warning to <paramref name="warnings"/> per
    /// sweep that failed; it never throws.</summary>
    public async Task RunJanitorAsync(
        KubernetesExecutor executor, ILeaseLiveness leases, string prefix, TextWriter log, TextWriter warnings, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var janitor = executor.Janitor(leases);
        var interval = new KubernetesExecutorOptions().JanitorInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var sweep = await janitor.SweepAsync(Namespaces, stopping);
                if (sweep.Pods.Count + sweep.Secrets.Count > 0)
                {
                    await log.WriteLineAsync(
                        $"{prefix}: removed what leases that no longer live left on Kubernetes: " +
                        $"{Listed("pod", sweep.Pods)}{(sweep.Pods.Count > 0 && sweep.Secrets.Count > 0 ? "; " : "")}{Listed("Secret", sweep.Secrets)}");
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                await warnings.WriteLineAsync($"{prefix}: warning: the Kubernetes janitor could not sweep {string.Join(", ", Namespaces)}: {error.Message}");
            }

            try
            {
                await Task.Delay(interval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Listed(string kind, IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        1 => $"{kind} {names[0]}",
        _ => $"{kind}s {string.Join(", ", names)}",
    };
}
