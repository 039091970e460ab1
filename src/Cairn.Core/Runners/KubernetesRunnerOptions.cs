namespace Cairn.Core.Runners;

/// <summary>What a runner alias with <c>executor: kubernetes</c> says about its jobs' pods, beyond CPU, memory and image.</summary>
/// <param name="Namespace">Where the pods and their Secrets are made (required).</param>
/// <param name="SchedulingTimeout">How long a pod may stay Pending because no node fits before the job fails as <c>infra</c>.</param>
/// <param name="ImagePullTimeout">How long an image may fail to pull (ErrImagePull, ImagePullBackOff) before the job fails as <c>infra</c>.</param>
public sealed record KubernetesRunnerOptions(
    string Namespace,
    TimeSpan SchedulingTimeout,
    TimeSpan ImagePullTimeout)
{
    /// <summary>The default of <c>scheduling-timeout</c>.</summary>
    public static TimeSpan DefaultSchedulingTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The default of <c>image-pull-timeout</c>.</summary>
    public static TimeSpan DefaultImagePullTimeout { get; } = TimeSpan.FromMinutes(2);

    /// <summary>Node labels the pod must land on (<c>node-selector:</c>).</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints the pod tolerates (<c>tolerations:</c>).</summary>
    public IReadOnlyList<KubernetesToleration> Tolerations { get; init; } = [];

    /// <summary>The pod's service account (<c>service-account:</c>); null: the namespace's default, with no token mounted.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>The pod's PriorityClass (<c>priority-class:</c>).</summary>
    public string? PriorityClass { get; init; }

    /// <summary>Secrets of the namespace the kubelet pulls the images with (<c>image-pull-secrets:</c>).</summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];

    /// <summary>The image of the init container that fetches the source (<c>source-image:</c>; it needs <c>git</c> and
    /// <c>sh</c>); null: the executor's default.</summary>
    public string? SourceImage { get; init; }
}

/// <summary>One toleration, as a pod spec writes it.</summary>
/// <param name="Operator"><c>Equal</c> (the default) or <c>Exists</c>.</param>
/// <param name="Effect"><c>NoSchedule</c>, <c>PreferNoSchedule</c>, <c>NoExecute</c>, or null for all.</param>
/// <param name="TolerationSeconds">Only with <c>NoExecute</c>: how long the pod stays once tainted.</param>
public sealed record KubernetesToleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds);
