using Cairn.Core.Runs;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

public sealed class UnreachableEngineTests
{
    [Fact]
    public async Task MissingSocket_FailsTheJobAsInfra_SayingWhereNothingAnswered()
    {
        using var workspace = new TempDirectory();
        var address = $"unix://{workspace.Path}/no-engine.sock";
        using var executor = new ContainerExecutor(new ContainerExecutorOptions { EngineAddress = address }, TimeProvider.System);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(Jobs.Job(workspace.Path, [Jobs.Step(0, "true")], image: "busybox"), reporter, TestContext.Current.CancellationToken);

        Assert.Equal((JobStatus.Failed, FailureClass.Infra), (outcome.Status, outcome.FailureClass));
        Assert.StartsWith($"no container engine is reachable at {address}: ", outcome.Detail);
        Assert.Equal([StepStatus.Skipped], outcome.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task RefusedConnection_PingsAsUnreachable()
    {
        // A port just released on loopback: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new DockerEngineClient(DockerEndpoint.Parse($"tcp://127.0.0.1:{port}"));

        var reachability = await client.PingAsync(TestContext.Current.CancellationToken);

        Assert.False(reachability.IsReachable);
        Assert.StartsWith($"no container engine is reachable at tcp://127.0.0.1:{port}: ", reachability.Problem);
    }

    [Fact]
    public async Task JobWithoutAnImage_IsAConfigurationError()
    {
        using var workspace = new TempDirectory();
        using var executor = new ContainerExecutor(new ContainerExecutorOptions { EngineAddress = $"unix://{workspace.Path}/x.sock" }, TimeProvider.System);

        var outcome = await executor.RunAsync(Jobs.Job(workspace.Path, [Jobs.Step(0, "true")]), new RecordingJobReporter(), TestContext.Current.CancellationToken);

        Assert.Equal((JobStatus.Failed, FailureClass.Config), (outcome.Status, outcome.FailureClass));
        Assert.Contains("needs an image", outcome.Detail, StringComparison.Ordinal);
    }
}
