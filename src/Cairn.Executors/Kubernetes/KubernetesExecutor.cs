using System.Collections.Concurrent;
using Cairn.Core.Execution;
using k8s;
using k8s.Exceptions;

namespace Cairn.Executors.Kubernetes;

/// <summary>Runs each job as a pod of a Kubernetes cluster: the steps run one after another under a small supervisor
/// that is the <c>job</c> container's command, and the worker follows that container's log, cutting it into steps at
/// the supervisor's markers. The pod fetches the run's commit itself into <c>/workspace</c>. <see cref="StepSequencer"/>
/// drives the steps, as for every executor.</summary>
public sealed class KubernetesExecutor : IExecutor, IFetchesOwnSource, IDisposable
{
    private readonly KubernetesExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly IKubernetes _client;
    private readonly bool _ownsClient;
    private readonly ConcurrentDictionary<string, byte> _live = new(StringComparer.Ordinal);

    /// <summary>Reaches the cluster the options say (see <see cref="Configuration"/>).</summary>
    public KubernetesExecutor(KubernetesExecutorOptions options, TimeProvider time)
        : this(new k8s.Kubernetes(Configuration(options)), options, time)
    {
        _ownsClient = true;
    }

    /// <summary>Talks to the cluster through <paramref name="client"/>, which the caller keeps.</summary>
    public KubernetesExecutor(IKubernetes client, KubernetesExecutorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _options = options;
        _time = time;
        Owner = LabelValue(options.OwnerId ?? $"{Environment.MachineName}-{Environment.ProcessId}");
    }

    /// <summary><paramref name="text"/> as a label value Kubernetes accepts: letters, digits, <c>-</c>, <c>_</c> and
    /// <c>.</c> (anything else becomes <c>-</c>), starting and ending with a letter or digit, at most 63 characters.</summary>
    public static string LabelValue(string text) => ManifestLabels.LabelValue(text) is { Length: > 0 } value ? value : "cairn";

    public string Name => "kubernetes";

    public string WorkspacePath => KubernetesManifests.WorkspacePath;

    /// <summary>The value of the <c>cairn.owner</c> label on every pod and Secret this executor makes.</summary>
    public string Owner { get; }

    /// <summary>The client this executor talks through (for the janitor).</summary>
    public IKubernetes Client => _client;

    /// <summary>The client configuration: the kubeconfig the options name; else <c>KUBECONFIG</c>; else the pod's service
    /// account when this process runs in a cluster; else <c>~/.kube/config</c>. Throws <see cref="InvalidOperationException"/>
    /// with a sentence when none works.</summary>
    public static KubernetesClientConfiguration Configuration(KubernetesExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.KubeconfigPath ?? (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } env ? env.Split(Path.PathSeparator)[0] : null);
        try
        {
            if (path is not null)
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            }

            if (KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }

            var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            if (File.Exists(home))
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(home);
            }
        }
        catch (Exception error) when (error is KubeConfigException or IOException or UnauthorizedAccessException or k8s.Exceptions.KubernetesClientException)
        {
            throw new InvalidOperationException($"the kubernetes executor could not read its cluster's settings{(path is null ? "" : " from " + path)}: {error.Message}", error);
        }

        throw new InvalidOperationException(
            "the kubernetes executor found no cluster: pass --kubeconfig, set KUBECONFIG, run the worker in a pod with a service account, or write ~/.kube/config");
    }

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        // Tear-down stops the pod's followers; disposing is the backstop when tear-down itself failed.
        await using var environment = new KubernetesJobEnvironment(_client, job, reporter, _options, Owner, _live, _time);
        return await StepSequencer.RunAsync(job, reporter, environment, _time, cancellationToken);
    }

    /// <summary>Asks the cluster its version; null when it answers, else a sentence saying why it could not be reached.</summary>
    public async Task<string?> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _client.Version.GetCodeAsync(cancellationToken);
            return version is null ? "the cluster's API answered without a version" : null;
        }
        catch (Exception error) when (error is HttpRequestException or k8s.Autorest.HttpOperationException or IOException
            || (error is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"the cluster's API could not be reached at {(_client as k8s.Kubernetes)?.BaseUri}: {error.Message}";
        }
    }

    /// <summary>A janitor for what this executor's owner left behind.</summary>
    public KubernetesJanitor Janitor(Cairn.Core.Runs.ILeaseLiveness leases) => new(_client, Owner, leases, () => _live.Keys.ToList(), _options);

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }
}
