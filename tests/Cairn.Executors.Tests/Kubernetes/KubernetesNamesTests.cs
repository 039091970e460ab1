using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("pods \"p\" is forbidden: exceeded quota: compute, requested: limits.cpu=2, used: limits.cpu=7, limited: limits.cpu=8",
        "throttled by quota (cpu 7/8)")]
    [InlineData("pods \"p\" is forbidden: exceeded quota: compute, requested: limits.cpu=1,limits.memory=2Gi, used: limits.cpu=1,limits.memory=3Gi, limited: limits.cpu=8,limits.memory=4Gi",
        "throttled by quota (memory 3Gi/4Gi)")]
    [InlineData("pods \"p\" is forbidden: exceeded quota: count, requested: count/pods=1, used: count/pods=10, limited: count/pods=10",
        "throttled by quota (pods 10/10)")]
    [InlineData("pods \"p\" is forbidden: exceeded quota: small", "throttled by quota (small)")]
    public void The_pending_reason_names_the_resource_that_does_not_fit_as_a_person_would(string message, string reason) =>
        Assert.Equal(reason, QuotaRefusal.Reason(message));

    [Theory]
    [InlineData("build-1/4f2a/0", "build-1-4f2a-0")]
    [InlineData("/odd name!", "odd-name")]
    [InlineData("///", "cairn")]
    public void An_owner_becomes_a_label_value_kubernetes_accepts(string owner, string label) =>
        Assert.Equal(label, KubernetesExecutor.LabelValue(owner));
}
