using Cairn.Core.Execution;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

public sealed class ContainerRequestsTests
{
    private static JobSpec SampleJob() =>
        Jobs.Job("/srv/ws/42", [Jobs.Step(0, "make")], env: new Dictionary<string, string> { ["CI"] = "true", ["TOKEN"] = "s3cret" }, image: "debian:12")
            with
        {
            Resources = new ResourceLimits(1.5, 512L * 1024 * 1024),
        };

    [Fact]
    public void JobContainer_MountsTheWorkspace_CarriesEnvLabelsAndLimits()
    {
        var request = ContainerRequests.JobContainer(SampleJob(), "debian:12", "worker-a", network: null);

        Assert.Equal("debian:12", request.Image);
        Assert.Equal(["/srv/ws/42:/workspace"], request.HostConfig.Binds);
        Assert.Equal("/workspace", request.WorkingDir);
        Assert.Equal(["CI=true", "TOKEN=s3cret"], request.Env.Order());
        Assert.Equal(1_500_000_000, request.HostConfig.NanoCpus);
        Assert.Equal(512L * 1024 * 1024, request.HostConfig.Memory);
        Assert.Equal("worker-a", request.Labels["cairn.owner"]);
        Assert.Equal("1", request.Labels["cairn.run"]);
        Assert.Equal("1", request.Labels["cairn.job"]);
        Assert.Null(request.HostConfig.NetworkMode);
    }

    [Fact]
    public void JobContainer_WithoutResources_SetsNoLimits()
    {
        var request = ContainerRequests.JobContainer(SampleJob() with { Resources = null }, "debian:12", "w", network: "net1");

        Assert.Null(request.HostConfig.Memory);
        Assert.Null(request.HostConfig.NanoCpus);
        Assert.Equal("net1", request.HostConfig.NetworkMode);
    }

    [Fact]
    public void Service_JoinsTheNetworkUnderItsName_KeepingItsImagesEntrypoint()
    {
        var service = new ServiceSpec("db", "postgres:16", new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "pw" }, ["postgres", "-c", "fsync=off"]);

        var request = ContainerRequests.Service(SampleJob(), service, "worker-a", "cairn-net");

        Assert.Null(request.Entrypoint);
        Assert.Equal(["postgres", "-c", "fsync=off"], request.Cmd);
        Assert.Equal(["POSTGRES_PASSWORD=pw"], request.Env);
        Assert.Equal("cairn-net", request.HostConfig.NetworkMode);
        Assert.Equal(["db"], request.NetworkingConfig!.EndpointsConfig["cairn-net"].Aliases);
        Assert.Equal("db", request.Labels["cairn.service"]);
        Assert.Equal("worker-a", request.Labels["cairn.owner"]);
    }

    [Fact]
    public void Exec_RunsTheScriptThroughTheShell_InTheWorkspace()
    {
        var request = ContainerRequests.Exec(["sh", "-e", "-c"], "echo hi", new Dictionary<string, string> { ["A"] = "1" });

        Assert.Equal(["sh", "-e", "-c", "echo hi"], request.Cmd);
        Assert.Equal(["A=1"], request.Env);
        Assert.Equal("/workspace", request.WorkingDir);
        Assert.False(request.Tty);
        Assert.True(request.AttachStdout && request.AttachStderr);
    }

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1.36", "busybox:1.36")]
    [InlineData("registry.local:5000/team/app", "registry.local:5000/team/app:latest")]
    [InlineData("registry.local:5000/team/app:2", "registry.local:5000/team/app:2")]
    [InlineData("app@sha256:abc", "app@sha256:abc")]
    public void PullPath_NamesATag_SoTheEngineNeverPullsEveryTag(string image, string pulled)
    {
        Assert.Equal($"/v1.41/images/create?fromImage={Uri.EscapeDataString(pulled)}", DockerEngineClient.PullPath(image));
    }

    [Theory]
    [InlineData("localhost/cairn-test/busybox:1", true)]
    [InlineData("app@sha256:abc", true)]
    [InlineData("../../containers/x", false)]
    [InlineData("app?force=true", false)]
    [InlineData("", false)]
    public void ImageReference_RejectsWhatCouldBendARequestPath(string image, bool wellFormed)
    {
        Assert.Equal(wellFormed, ImageReference.IsWellFormed(image));
    }

    [Fact]
    public void LabelFilter_IsTheEnginesJsonFilter_Escaped()
    {
        Assert.Equal(Uri.EscapeDataString("""{"label":["cairn.owner=w 1"]}"""), DockerEngineClient.LabelFilter("cairn.owner=w 1"));
    }

    [Theory]
    [InlineData("unix:///run/podman.sock", "/run/podman.sock", null, 0)]
    [InlineData("tcp://10.0.0.5:2376", null, "10.0.0.5", 2376)]
    [InlineData("tcp://engine", null, "engine", 2375)]
    public void Endpoint_ReadsDockerHost(string address, string? socket, string? host, int port)
    {
        var endpoint = DockerEndpoint.Parse(address);

        Assert.Equal((socket, host, port), (endpoint.SocketPath, endpoint.Host, endpoint.Port));
    }

    [Theory]
    [InlineData("unix://relative.sock")]
    [InlineData("ssh://me@host")]
    public void Endpoint_RejectsWhatItCannotReach(string address)
    {
        Assert.Throws<FormatException>(() => DockerEndpoint.Parse(address));
    }

    [Fact]
    public void OwnerProcess_OfThisHost_IsGoneOnlyWhenItsProcessIs()
    {
        Assert.False(LeftoverSweep.OwnerProcessIsGone($"{Environment.MachineName}:{Environment.ProcessId}"));
        Assert.True(LeftoverSweep.OwnerProcessIsGone($"{Environment.MachineName}:{int.MaxValue}"));
        Assert.False(LeftoverSweep.OwnerProcessIsGone($"another-host:{int.MaxValue}"));
        Assert.False(LeftoverSweep.OwnerProcessIsGone("worker-a"));
    }
}
