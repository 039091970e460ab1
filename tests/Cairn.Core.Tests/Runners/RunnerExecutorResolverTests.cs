using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Fake;
using Cairn.Executors.Shell;

namespace Cairn.Core.Tests.Runners;

public sealed class RunnerExecutorResolverTests : IDisposable
{
    private static readonly RunnerCatalog Catalog = RunnerCatalogLoader.Load("""
        default: small
        runners:
          small: { executor: container, cpu: 1, memory: 512Mi }
          large: { executor: container, cpu: 2, memory: 4Gi, labels: [linux, big], image: debian:12 }
          host:  { executor: shell }
          k8s:   { executor: kubernetes, namespace: ci }
        """, "runners.yml").Catalog!;

    private readonly ShellExecutor _shell = new();
    private readonly FakeExecutor _container = new();

    private Dictionary<string, IExecutor> Both => new() { ["shell"] = _shell, ["container"] = _container };

    public void Dispose() => _shell.Dispose();

    private static JobRecord Job(string name) =>
        new(1, 1, name, name, [], [], JobStatus.Running, 1, null, null, null, null, null, "{}");

    private static JobDefinitionJson Definition(string? runner = null, string? image = null, params ServiceJson[] services) =>
        new("build", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            image, runner, null, null, [], null, [new StepJson("make", "make", new Dictionary<string, string>(), null, null)])
        {
            Services = services,
        };

    private static ServiceJson Postgres => new("db", "postgres:15", new Dictionary<string, string>(), null);

    [Fact]
    public void JobWithoutRunner_GetsTheDefaultAlias_WithItsLimits()
    {
        var choice = new RunnerExecutorResolver(Catalog, Both).Resolve(Job("build"), Definition(image: "alpine:3"));

        Assert.Null(choice.Error);
        Assert.Same(_container, choice.Executor);
        Assert.Equal(new ResourceLimits(1, 536_870_912), choice.Resources);
        Assert.Null(choice.Image);
    }

    [Fact]
    public void AliasImage_IsUsed_OnlyWhenTheJobNamesNone()
    {
        var resolver = new RunnerExecutorResolver(Catalog, Both);

        Assert.Equal("debian:12", resolver.Resolve(Job("build"), Definition("large")).Image);
        Assert.Null(resolver.Resolve(Job("build"), Definition("large", "alpine:3")).Image);
        Assert.Equal(new ResourceLimits(2, 4L << 30), resolver.Resolve(Job("build"), Definition("large")).Resources);
    }

    [Fact]
    public void UnknownRunner_FailsWithTheKnownNames_InFileOrder()
    {
        var choice = new RunnerExecutorResolver(Catalog, Both).Resolve(Job("build"), Definition("xl"));

        Assert.Null(choice.Executor);
        Assert.Equal("unknown runner 'xl' (known: small, large, host, k8s)", choice.Error);
    }

    [Fact]
    public void UnknownRunner_WithoutARunnerFile_SaysNoneAreConfigured() =>
        Assert.Equal(
            "unknown runner 'xl' (no runners are configured)",
            new RunnerExecutorResolver(RunnerCatalog.BuiltIn, Both).Resolve(Job("build"), Definition("xl")).Error);

    [Theory]
    [InlineData(null, "shell")]
    [InlineData("debian:12", "container")]
    public void BuiltInDefault_IsShellWithoutAnImage_AndContainerWithOne(string? image, string executor)
    {
        var resolver = new RunnerExecutorResolver(RunnerCatalog.BuiltIn, Both);

        var choice = resolver.Resolve(Job("build"), Definition(image: image));

        Assert.Same(executor == "shell" ? _shell : _container, choice.Executor);
        Assert.Null(choice.Resources);
        Assert.Equal(executor, resolver.Decide("build", Definition(image: image)).Executor);
    }

    [Fact]
    public void Services_OnAShellRunner_AreAConfigError()
    {
        var choice = new RunnerExecutorResolver(Catalog, Both).Resolve(Job("test"), Definition("host", "debian:12", Postgres));

        Assert.Equal("job 'test' has services, which need the container executor; its runner 'host' uses shell", choice.Error);
    }

    [Fact]
    public void Services_WithoutAnImage_OnTheBuiltInDefault_AreAConfigError() =>
        Assert.Equal(
            "job 'test' has services, which need the container executor; without an image it runs on the shell executor",
            new RunnerExecutorResolver(RunnerCatalog.BuiltIn, Both).Resolve(Job("test"), Definition(services: Postgres)).Error);

    [Fact]
    public void Services_OnAContainerRunner_Resolve() =>
        Assert.Same(_container, new RunnerExecutorResolver(Catalog, Both).Resolve(Job("test"), Definition("small", "debian:12", Postgres)).Executor);

    [Fact]
    public void MissingContainerExecutor_SaysWhy_WithTheImage()
    {
        var resolver = new RunnerExecutorResolver(RunnerCatalog.BuiltIn, new Dictionary<string, IExecutor> { ["shell"] = _shell })
        {
            Unavailable = new Dictionary<string, string> { ["container"] = "no container engine is reachable (DOCKER_HOST=unix:///var/run/docker.sock)" },
        };

        Assert.Equal(
            "job 'build' needs image 'debian:12' but no container engine is reachable (DOCKER_HOST=unix:///var/run/docker.sock)",
            resolver.Resolve(Job("build"), Definition(image: "debian:12")).Error);
        Assert.Same(_shell, resolver.Resolve(Job("build"), Definition()).Executor);
    }

    [Fact]
    public void KubernetesRunner_InAProcessWithoutTheExecutor_SaysItHasNoCluster() =>
        Assert.Equal(
            "job 'build' runs on runner 'k8s', which uses the kubernetes executor, but this process was started without a Kubernetes cluster",
            new RunnerExecutorResolver(Catalog, Both).Resolve(Job("build"), Definition("k8s", "debian:12")).Error);

    [Fact]
    public void ContainerRunner_WithNoImageAnywhere_IsAConfigError() =>
        Assert.Equal(
            "job 'build' runs in a container but has no image, and its runner 'small' names none: give the job an 'image:'",
            new RunnerExecutorResolver(Catalog, Both).Resolve(Job("build"), Definition()).Error);

    [Fact]
    public void ForcedShell_RunsEveryJobOnTheHost_KeepingTheJobsImageForItsWarning()
    {
        var resolver = new RunnerExecutorResolver(Catalog, Both) { ForcedExecutor = "shell" };

        var choice = resolver.Resolve(Job("build"), Definition("large", "alpine:3"));

        Assert.Same(_shell, choice.Executor);
        Assert.Null(choice.Image);
        Assert.Equal("unknown runner 'xl' (known: small, large, host, k8s)", resolver.Resolve(Job("build"), Definition("xl")).Error);
        Assert.Equal(
            "job 'build' has services, which need the container executor; this run puts every job on the shell executor",
            resolver.Resolve(Job("build"), Definition("small", "debian:12", Postgres)).Error);
    }
}
