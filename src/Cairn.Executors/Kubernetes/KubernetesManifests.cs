using Cairn.Core.Execution;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>The names of one job attempt's pod and Secret, the namespace they go in, the random nonce its supervisor
/// marks steps with, and the worker that owns them.</summary>
public sealed record PodIdentity(string Name, string Namespace, string Nonce, string Owner);

/// <summary>What one job attempt makes on the cluster: its pod and the Secret the pod reads its secrets, source token,
/// nonce and step programs from.</summary>
public sealed record JobManifests(V1Pod Pod, V1Secret Secret);

/// <summary>Builds a job's pod and Secret from its <see cref="JobSpec"/> (with <see cref="JobSpec.Kubernetes"/> set).
/// Pure: no cluster is asked anything.</summary>
public static class KubernetesManifests
{
    /// <summary>The container the steps run in (its log is the job's).</summary>
    public const string JobContainer = "job";

    /// <summary>The init container that fetches the run's commit into the workspace.</summary>
    public const string SourceContainer = "source";

    /// <summary>Where the workspace (an emptyDir) is mounted in every container.</summary>
    public const string WorkspacePath = "/workspace";

    public static JobManifests Build(JobSpec job, PodIdentity identity, KubernetesExecutorOptions options) =>
        throw new NotImplementedException("the manifests are being written");
}
