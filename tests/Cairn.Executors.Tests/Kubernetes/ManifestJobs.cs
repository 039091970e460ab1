using Cairn.Core.Execution;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runners;
using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>The jobs the manifest tests build pods for: one with every setting, one with none.</summary>
internal static class ManifestJobs
{
    public const string SecretValue = "s3cr3t-value-9c1d";
    public const string Token = "job-token-77aa41";
    public const string Nonce = "nonce-5b2e0f";

    public static PodIdentity Identity { get; } = new("cairn-42-7-1", "ci", Nonce, "worker@build-host:1");

    public static Guid Lease { get; } = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    public static KubernetesRunnerOptions Pod(string? serviceAccount = null) => new("ci", TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2))
    {
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "amd64" },
        Tolerations = [new KubernetesToleration("ci", "Exists", null, "NoSchedule", null), new KubernetesToleration("spot", "Equal", "yes", "NoExecute", 60)],
        ServiceAccount = serviceAccount,
        PriorityClass = "ci-low",
        ImagePullSecrets = ["regcred"],
        SourceImage = null,
    };

    public static JobSpec Full(string? serviceAccount = null) =>
        new JobSpec(
            42, 7, "test (20)", 1, KubernetesManifests.WorkspacePath, "node:22", "pods",
            new Dictionary<string, string> { ["CI"] = "true", ["MODE"] = "ci", ["NPM_TOKEN"] = SecretValue },
            [
                new StepSpec(0, "install", "npm ci", new Dictionary<string, string> { ["COPY"] = SecretValue, ["QUOTE"] = "it's" }, TimeSpan.FromMinutes(5), null),
                new StepSpec(1, "test", "npm test", new Dictionary<string, string>(), null, "always()"),
            ],
            TimeSpan.FromMinutes(30),
            ExpressionContext.Empty)
        {
            Services = [new ServiceSpec("postgres", "postgres:16", new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "pw" }, ["-c", "fsync=off"])],
            Resources = new ResourceLimits(0.5, 1L << 30),
            Kubernetes = Pod(serviceAccount),
            Source = new JobSource(new Uri("https://cairn.example/api/source/42.git"), "0123456789abcdef0123456789abcdef01234567", Token),
            LeaseId = Lease,
            SecretNames = ["NPM_TOKEN"],
        };

    public static JobSpec Minimal() =>
        new(5, 9, "lint", 2, KubernetesManifests.WorkspacePath, "alpine:3", null,
            new Dictionary<string, string> { ["CI"] = "true" },
            [new StepSpec(0, "lint", "echo lint", new Dictionary<string, string>(), null, null)],
            null,
            ExpressionContext.Empty)
        {
            Kubernetes = new KubernetesRunnerOptions("jobs", KubernetesRunnerOptions.DefaultSchedulingTimeout, KubernetesRunnerOptions.DefaultImagePullTimeout),
        };
}
