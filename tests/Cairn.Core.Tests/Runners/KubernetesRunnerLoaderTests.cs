using Cairn.Core.Runners;

namespace Cairn.Core.Tests.Runners;

public sealed class KubernetesRunnerLoaderTests
{
    private static string Error(string yaml)
    {
        var result = RunnerCatalogLoader.Load(yaml, "runners.yml");
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors).ToString();
    }

    [Fact]
    public void EveryKey_FillsThePodSettings()
    {
        var result = RunnerCatalogLoader.Load("""
            runners:
              pods:
                executor: kubernetes
                namespace: ci-jobs
                cpu: 2
                node-selector: { kubernetes.io/arch: amd64, pool: "" }
                tolerations:
                  - { key: gpu, operator: Exists, effect: NoSchedule }
                  - { key: dedicated, value: ci, effect: NoExecute, toleration-seconds: 30 }
                  - { operator: Exists }
                service-account: ci-runner
                priority-class: ci.low
                image-pull-secrets: [registry-login, registry-login, other]
                scheduling-timeout: 90s
                image-pull-timeout: 1m30s
                source-image: example/git:2
            """, "runners.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var pod = result.Catalog!.Find("pods")!.Kubernetes!;
        Assert.Equal(("ci-jobs", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(90)), (pod.Namespace, pod.SchedulingTimeout, pod.ImagePullTimeout));
        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/arch"] = "amd64", ["pool"] = "" }, pod.NodeSelector);
        Assert.Equal(
            [
                new KubernetesToleration("gpu", "Exists", null, "NoSchedule", null),
                new KubernetesToleration("dedicated", null, "ci", "NoExecute", 30),
                new KubernetesToleration(null, "Exists", null, null, null),
            ],
            pod.Tolerations);
        Assert.Equal(("ci-runner", "ci.low", "example/git:2"), (pod.ServiceAccount, pod.PriorityClass, pod.SourceImage));
        Assert.Equal(["registry-login", "other"], pod.ImagePullSecrets);
    }

    [Fact]
    public void OnlyANamespace_GivesTheDefaults_AndOtherExecutorsHaveNoPodSettings()
    {
        var catalog = RunnerCatalogLoader.Load("runners:\n  pods: { executor: kubernetes, namespace: ci }\n  box: { executor: container }\n", "runners.yml").Catalog!;

        var pod = catalog.Find("pods")!.Kubernetes!;
        Assert.Equal((KubernetesRunnerOptions.DefaultSchedulingTimeout, KubernetesRunnerOptions.DefaultImagePullTimeout), (pod.SchedulingTimeout, pod.ImagePullTimeout));
        Assert.Empty(pod.NodeSelector);
        Assert.Null(pod.ServiceAccount);
        Assert.Null(catalog.Find("box")!.Kubernetes);
    }

    [Theory]
    [InlineData("runners:\n  a: { executor: kubernetes }\n", "runners.yml:2:6: error: runner 'a' has executor: kubernetes but no 'namespace'; give the namespace its pods go in")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: CI }\n", "runners.yml:2:41: error: 'CI' is not a valid namespace; a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit")]
    [InlineData("runners:\n  a: { executor: container, namespace: ci }\n", "runners.yml:2:29: error: 'namespace' is only for runners with executor: kubernetes (runner 'a' has executor: container)")]
    [InlineData("runners:\n  a: { executor: shell, tolerations: [] }\n", "runners.yml:2:25: error: 'tolerations' is only for runners with executor: kubernetes (runner 'a' has executor: shell)")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, namespce: x }\n", "runners.yml:2:45: error: unknown key 'namespce' in runner 'a'; did you mean 'namespace'?")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, node-selector: { \"a b\": x } }\n", "runners.yml:2:62: error: 'a b' is not a valid node-selector; use an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, node-selector: { pool: \"-x\" } }\n", "runners.yml:2:68: error: '-x' is not a valid label value; use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or nothing)")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ key: gpu, operator: Exist }] }\n", "runners.yml:2:81: error: unknown operator 'Exist'; did you mean 'Exists'?")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ key: gpu, effect: NoSchedul }] }\n", "runners.yml:2:79: error: unknown effect 'NoSchedul'; did you mean 'NoSchedule'?")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ key: gpu, efect: NoSchedule }] }\n", "runners.yml:2:71: error: unknown key 'efect' in a toleration; did you mean 'effect'?")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ key: gpu, toleration-seconds: 5 }] }\n", "runners.yml:2:71: error: 'toleration-seconds' is only for a toleration with effect: NoExecute")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ key: gpu, operator: Exists, value: x }] }\n", "runners.yml:2:96: error: a toleration with operator: Exists takes no 'value'")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, tolerations: [{ value: x }] }\n", "runners.yml:2:59: error: a toleration without 'key' must have operator: Exists (it tolerates every taint)")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, image-pull-secrets: [Login] }\n", "runners.yml:2:66: error: 'Login' is not a valid image-pull-secrets; use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")]
    [InlineData("runners:\n  a: { executor: kubernetes, namespace: ci, service-account: ci_runner }\n", "runners.yml:2:62: error: 'ci_runner' is not a valid service-account; use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")]
    public void BadKubernetesKey_IsOneErrorAtItsPlace(string yaml, string expected) =>
        Assert.Equal(expected, Error(yaml));

    [Fact]
    public void BadDuration_IsReportedAtItsValue() =>
        Assert.StartsWith(
            "runners.yml:2:65: error: 'scheduling-timeout': 'soon' is not a duration",
            Error("runners:\n  a: { executor: kubernetes, namespace: ci, scheduling-timeout: soon }\n"),
            StringComparison.Ordinal);
}
