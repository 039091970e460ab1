using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Fake;

namespace Cairn.Core.Tests.Runners;

/// <summary>A runner alias on the kubernetes executor: its pod settings travel with the choice, it needs an image as a
/// container job does, and it may have services.</summary>
public sealed class KubernetesResolutionTests
{
    private static readonly KubernetesRunnerOptions Pods = new("ci-jobs", TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));

    private static readonly RunnerCatalog Catalog = new(
        [
            new RunnerAlias("k8s", ExecutorNames.Kubernetes, 1, 1L << 30, [], null) { Kubernetes = Pods },
            new RunnerAlias("k8s-debian", ExecutorNames.Kubernetes, null, null, [], "debian:12") { Kubernetes = Pods },
            new RunnerAlias("box", ExecutorNames.Container, null, null, [], "debian:12"),
        ],
        null);

    private readonly FakeExecutor _kubernetes = new();

    private Dictionary<string, IExecutor> Executors => new() { ["kubernetes"] = _kubernetes, ["container"] = new FakeExecutor() };

    private static JobRecord Job => new(1, 1, "build", "build", [], [], JobStatus.Running, 1, null, null, null, null, null, "{}");

    private static JobDefinitionJson Definition(string runner, string? image = null, params ServiceJson[] services) =>
        new("build", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            image, runner, null, null, [], null, [new StepJson("make", "make", new Dictionary<string, string>(), null, null)])
        {
            Services = services,
        };

    [Fact]
    public void KubernetesAlias_GivesItsPodSettings_AndLimits()
    {
        var choice = new RunnerExecutorResolver(Catalog, Executors).Resolve(Job, Definition("k8s", "alpine:3"));

        Assert.Null(choice.Error);
        Assert.Same(_kubernetes, choice.Executor);
        Assert.Same(Pods, choice.Kubernetes);
        Assert.Equal(new ResourceLimits(1, 1L << 30), choice.Resources);
    }

    [Fact]
    public void KubernetesAlias_WithoutAnImageAnywhere_IsAConfigError() =>
        Assert.Equal(
            "job 'build' runs in a kubernetes pod but has no image, and its runner 'k8s' names none: give the job an 'image:'",
            new RunnerExecutorResolver(Catalog, Executors).Resolve(Job, Definition("k8s")).Error);

    [Fact]
    public void KubernetesAlias_ImageComesFromTheAlias_WhenTheJobNamesNone() =>
        Assert.Equal("debian:12", new RunnerExecutorResolver(Catalog, Executors).Resolve(Job, Definition("k8s-debian")).Image);

    [Fact]
    public void KubernetesJob_MayHaveServices() =>
        Assert.Null(new RunnerExecutorResolver(Catalog, Executors)
            .Resolve(Job, Definition("k8s", "alpine:3", new ServiceJson("db", "postgres:15", new Dictionary<string, string>(), null))).Error);

    [Fact]
    public void ContainerAlias_CarriesNoPodSettings() =>
        Assert.Null(new RunnerExecutorResolver(Catalog, Executors).Resolve(Job, Definition("box")).Kubernetes);
}
