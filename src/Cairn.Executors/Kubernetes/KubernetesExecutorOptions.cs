namespace Cairn.Executors.Kubernetes;

/// <summary>How the kubernetes executor reaches the cluster and what it makes there, beyond each runner alias's settings.</summary>
public sealed class KubernetesExecutorOptions
{
    /// <summary>The kubeconfig file to read (<c>--kubeconfig</c>); null: <c>KUBECONFIG</c>, else the in-cluster service
    /// account when running in a pod, else <c>~/.kube/config</c>.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>Who owns the pods and Secrets this executor makes (label <c>cairn.owner</c>): the worker's name.</summary>
    public string? OwnerId { get; set; }

    /// <summary>The image of the init container that fetches the run's commit when the alias names none (it needs
    /// <c>git</c> and <c>sh</c>).</summary>
    public string SourceImage { get; set; } = "alpine/git:2.47.2";

    /// <summary>How long a stopped pod gets between SIGTERM and SIGKILL (cancel, the job's timeout).</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long removing a job's pod and Secret may take once the job has ended.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the janitor looks for pods and Secrets whose lease no longer lives.</summary>
    public TimeSpan JanitorInterval { get; set; } = TimeSpan.FromMinutes(1);
}
