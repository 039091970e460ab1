using System.Globalization;
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

    /// <summary>Where the job container finds the supervisor, the step table and the step scripts (read-only).</summary>
    public const string ProgramPath = "/cairn";

    /// <summary>Where the job container of a job that brings files in or keeps some has the supervisor's release files
    /// (an emptyDir of its own, writable by the steps' user).</summary>
    public const string FilesPath = "/cairn-files";

    /// <summary>The file the supervisor waits for before the first step: what the job brings in is extracted.</summary>
    public const string RestoredFile = FilesPath + "/restored";

    /// <summary>The file the supervisor waits for after the last step: what the job keeps is archived.</summary>
    public const string ArchivedFile = FilesPath + "/archived";

    /// <summary>The Secret key of the supervisor's marker nonce.</summary>
    public const string NonceKey = "nonce";

    /// <summary>The Secret key of the source fetch's <c>Authorization</c> header.</summary>
    public const string SourceHeaderKey = "source-authorization";

    /// <summary>How long a job without <c>timeout:</c> may run before the pod's own deadline (a backstop to the
    /// executor's cancel) stops it.</summary>
    public static TimeSpan DefaultJobDeadline { get; } = TimeSpan.FromHours(6);

    /// <summary>What the pod's deadline adds beyond the job's timeout, scheduling and image pulls.</summary>
    public static TimeSpan DeadlineMargin { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The script the source init container runs: fixed, every value comes from its environment.</summary>
    public const string SourceScript =
        "set -e\n"
        + "cd " + WorkspacePath + "\n"
        + "git init -q .\n"
        + "git fetch -q --depth 1 --no-tags \"$CAIRN_SOURCE_URL\" \"$CAIRN_SHA\"\n"
        + "git checkout -q --detach FETCH_HEAD\n";

    private const string WorkspaceVolume = "workspace";
    private const string ProgramVolume = "cairn";
    private const string FilesVolume = "cairn-files";

    /// <summary>True when the job brings something in before its first step (needs' artifacts, caches): its supervisor
    /// waits for <see cref="RestoredFile"/>.</summary>
    public static bool HoldsBefore(JobSpec job) => job?.Files is { } files && (files.Needs.Count > 0 || files.Caches.Count > 0);

    /// <summary>True when the job keeps something after its last step (artifacts, caches): its supervisor waits for
    /// <see cref="ArchivedFile"/>.</summary>
    public static bool HoldsAfter(JobSpec job) => job?.Files is { } files && (files.Artifacts is not null || files.Caches.Count > 0);

    /// <summary>How long the supervisor gives a stopped step before SIGKILL: a little less than the pod's own grace, so
    /// it can still mark the step before the kubelet kills it.</summary>
    public static TimeSpan StepGrace(TimeSpan stopGrace) =>
        stopGrace > TimeSpan.FromSeconds(4) ? stopGrace - TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(1);

    /// <summary>The Secret key that holds secret variable <paramref name="name"/>.</summary>
    public static string SecretKey(string name) => "env." + name;

    public static JobManifests Build(JobSpec job, PodIdentity identity, KubernetesExecutorOptions options) =>
        Build(job, identity, options, placeholders: false);

    /// <summary>As <see cref="Build(JobSpec, PodIdentity, KubernetesExecutorOptions)"/>; with
    /// <paramref name="placeholders"/> the Secret holds readable placeholders instead of the secret values, the nonce,
    /// the source token, and the pod a placeholder source URL (what <c>cairn pod-spec</c> prints).</summary>
    public static JobManifests Build(JobSpec job, PodIdentity identity, KubernetesExecutorOptions options, bool placeholders)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(job.Image))
        {
            throw new ArgumentException($"job '{job.JobName}' has no image; a kubernetes runner needs one (the job's 'image:' or the runner's)", nameof(job));
        }

        var labels = ManifestLabels.For(job, identity);
        var programs = SupervisorScript.Render(job, ProgramPath, WorkspacePath, StepGrace(options.StopGrace),
            HoldsBefore(job) ? RestoredFile : null, HoldsAfter(job) ? ArchivedFile : null);
        var secretNames = job.SecretNames.Where(job.Env.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in secretNames)
        {
            data[SecretKey(name)] = placeholders ? $"<secret {name}>" : job.Env[name];
        }

        data[NonceKey] = placeholders ? "<nonce>" : identity.Nonce;
        if (job.Source is { } source)
        {
            data[SourceHeaderKey] = "Authorization: Bearer " + (placeholders ? "<source token>" : source.Token);
        }

        foreach (var (name, text) in programs)
        {
            data[name] = placeholders ? Redact(text, job, secretNames) : text;
        }

        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = Metadata(job, identity, labels),
            Type = "Opaque",
            StringData = data,
        };

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = Metadata(job, identity, labels),
            Spec = PodSpec(job, identity, options, programs.Select(p => p.Key).ToList(), secretNames, placeholders),
        };
        return new JobManifests(pod, secret);
    }

    /// <summary>The manifests as YAML: the Pod, <c>---</c>, the Secret.</summary>
    public static string Yaml(JobManifests manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        return k8s.KubernetesYaml.Serialize(manifests.Pod).TrimEnd('\n') + "\n---\n" + k8s.KubernetesYaml.Serialize(manifests.Secret).TrimEnd('\n') + "\n";
    }

    /// <summary>How long the pod may run at all: the job's timeout (or <see cref="DefaultJobDeadline"/>), its scheduling
    /// and image pull timeouts, and <see cref="DeadlineMargin"/>.</summary>
    public static long ActiveDeadlineSeconds(JobSpec job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var pod = job.Kubernetes;
        var total = (job.Timeout ?? DefaultJobDeadline)
            + (pod?.SchedulingTimeout ?? Core.Runners.KubernetesRunnerOptions.DefaultSchedulingTimeout)
            + (pod?.ImagePullTimeout ?? Core.Runners.KubernetesRunnerOptions.DefaultImagePullTimeout)
            + DeadlineMargin
            + (HoldsBefore(job) ? SupervisorScript.HoldLimit : TimeSpan.Zero)
            + (HoldsAfter(job) ? SupervisorScript.HoldLimit : TimeSpan.Zero);
        return (long)Math.Ceiling(total.TotalSeconds);
    }

    private static V1ObjectMeta Metadata(JobSpec job, PodIdentity identity, Dictionary<string, string> labels) => new()
    {
        Name = identity.Name,
        NamespaceProperty = identity.Namespace,
        Labels = new Dictionary<string, string>(labels),
        Annotations = new Dictionary<string, string> { ["cairn.job-name"] = job.JobName },
    };

    private static V1PodSpec PodSpec(JobSpec job, PodIdentity identity, KubernetesExecutorOptions options,
        List<string> programFiles, List<string> secretNames, bool placeholders)
    {
        var pod = job.Kubernetes;
        var workspace = new V1VolumeMount { Name = WorkspaceVolume, MountPath = WorkspacePath };
        var spec = new V1PodSpec
        {
            RestartPolicy = "Never",
            ActiveDeadlineSeconds = ActiveDeadlineSeconds(job),
            TerminationGracePeriodSeconds = (long)Math.Ceiling(options.StopGrace.TotalSeconds),
            EnableServiceLinks = false,
            AutomountServiceAccountToken = pod?.ServiceAccount is not null,
            ServiceAccountName = pod?.ServiceAccount,
            PriorityClassName = pod?.PriorityClass,
            NodeSelector = pod is { NodeSelector.Count: > 0 } ? new Dictionary<string, string>(pod.NodeSelector) : null,
            Tolerations = pod is { Tolerations.Count: > 0 } ? [.. pod.Tolerations.Select(Toleration)] : null,
            ImagePullSecrets = pod is { ImagePullSecrets.Count: > 0 } ? [.. pod.ImagePullSecrets.Select(n => new V1LocalObjectReference { Name = n })] : null,
            HostAliases = job.Services.Count > 0 ? [new V1HostAlias { Ip = "127.0.0.1", Hostnames = [.. job.Services.Select(s => s.Name)] }] : null,
            Volumes =
            [
                new V1Volume { Name = WorkspaceVolume, EmptyDir = new V1EmptyDirVolumeSource() },
                new V1Volume
                {
                    Name = ProgramVolume,
                    Secret = new V1SecretVolumeSource
                    {
                        SecretName = identity.Name,
                        DefaultMode = 0x124, // 0444
                        Items = [.. programFiles.Select(f => new V1KeyToPath { Key = f, Path = f })],
                    },
                },
            ],
        };

        if (job.Source is { } source)
        {
            spec.InitContainers =
            [
                new V1Container
                {
                    Name = SourceContainer,
                    Image = pod?.SourceImage ?? options.SourceImage,
                    Command = ["sh", "-c", SourceScript],
                    WorkingDir = WorkspacePath,
                    Env =
                    [
                        new V1EnvVar { Name = "CAIRN_SOURCE_URL", Value = placeholders ? "<source url>" : source.Url.ToString() },
                        new V1EnvVar { Name = "CAIRN_SHA", Value = source.Sha },
                        new V1EnvVar { Name = "GIT_TERMINAL_PROMPT", Value = "0" },
                        new V1EnvVar { Name = "GIT_CONFIG_COUNT", Value = "1" },
                        new V1EnvVar { Name = "GIT_CONFIG_KEY_0", Value = "http.extraHeader" },
                        FromSecret("GIT_CONFIG_VALUE_0", identity.Name, SourceHeaderKey),
                    ],
                    VolumeMounts = [workspace],
                },
            ];
        }

        var env = job.Env
            .Where(e => !secretNames.Contains(e.Key))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })
            .Concat(secretNames.Select(n => FromSecret(n, identity.Name, SecretKey(n))))
            .Append(FromSecret(SupervisorScript.NonceVariable, identity.Name, NonceKey))
            .ToList();
        var main = new V1Container
        {
            Name = JobContainer,
            Image = job.Image,
            Command = ["/bin/sh", ProgramPath + "/" + SupervisorScript.SupervisorFile],
            WorkingDir = WorkspacePath,
            Env = env,
            Resources = Resources(job.Resources),
            SecurityContext = long.TryParse(job.User, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                ? new V1SecurityContext { RunAsUser = uid }
                : null,
            VolumeMounts = [workspace, new V1VolumeMount { Name = ProgramVolume, MountPath = ProgramPath, ReadOnlyProperty = true }],
        };

        if (HoldsBefore(job) || HoldsAfter(job))
        {
            spec.Volumes.Add(new V1Volume { Name = FilesVolume, EmptyDir = new V1EmptyDirVolumeSource() });
            main.VolumeMounts.Add(new V1VolumeMount { Name = FilesVolume, MountPath = FilesPath });
        }

        spec.Containers = [main, .. job.Services.Select(s => Service(s, workspace))];
        return spec;
    }

    private static V1Container Service(ServiceSpec service, V1VolumeMount workspace) => new()
    {
        Name = service.Name,
        Image = service.Image,
        Args = service.Command is { Count: > 0 } command ? [.. command] : null,
        Env = service.Env.Count > 0
            ? [.. service.Env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })]
            : null,
        VolumeMounts = [workspace],
    };

    private static V1EnvVar FromSecret(string variable, string secret, string key) => new()
    {
        Name = variable,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key } },
    };

    private static V1Toleration Toleration(Core.Runners.KubernetesToleration t) => new()
    {
        Key = t.Key,
        OperatorProperty = t.Operator,
        Value = t.Value,
        Effect = t.Effect,
        TolerationSeconds = t.TolerationSeconds,
    };

    private static V1ResourceRequirements? Resources(ResourceLimits? limits)
    {
        if (limits is null)
        {
            return null;
        }

        var quantities = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (limits.Cpu is { } cpu)
        {
            var milli = (long)Math.Ceiling(cpu * 1000);
            quantities["cpu"] = new ResourceQuantity(milli % 1000 == 0
                ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
                : milli.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (limits.MemoryBytes is { } bytes)
        {
            const long mi = 1024 * 1024;
            quantities["memory"] = new ResourceQuantity(bytes % mi == 0
                ? (bytes / mi).ToString(CultureInfo.InvariantCulture) + "Mi"
                : bytes.ToString(CultureInfo.InvariantCulture));
        }

        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>(quantities),
            Limits = quantities,
        };
    }

    // A step's own variables may carry a secret's value (a `${{ secrets.X }}` in its env): the preview hides it.
    private static string Redact(string text, JobSpec job, List<string> secretNames)
    {
        foreach (var name in secretNames)
        {
            if (job.Env[name] is { Length: > 0 } value)
            {
                text = text.Replace(value, $"<secret {name}>", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
