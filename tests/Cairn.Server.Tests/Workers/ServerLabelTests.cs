using System.Net;
using Cairn.Core.Engine;
using static Cairn.Server.Tests.Workers.WorkerServer;

namespace Cairn.Server.Tests.Workers;

/// <summary>Jobs carrying <c>cairn/server</c> (agent and publish jobs) are never handed to a worker over HTTP, even one
/// whose identity was given that label; the server's own workers offer it.</summary>
public sealed class ServerLabelTests
{
    [Fact]
    public async Task JobForTheServersOwnWorkers_IsNeverLeasedOverHttp()
    {
        await using var world = await StartAsync(runners: "runners:\n  own: { executor: shell, labels: [cairn/server] }\n");
        world.Git.Commit("name: ci\non: { manual: {} }\njobs:\n  agent:\n    runner: own\n    steps: [{ run: 'echo hi' }]\n");
        await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("sneaky", WorkerLabels.Server);

        using var asked = await AskAsync(worker, labels: [WorkerLabels.Server], wait: 1);
        using var every = await AskAsync(worker, slot: 2, wait: 1);

        Assert.Equal(HttpStatusCode.NoContent, asked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, every.StatusCode);
    }

    [Fact]
    public void ServersOwnWorkers_OfferTheLabel_OnTopOfTheirOwn()
    {
        Assert.Equal(["linux", WorkerLabels.Server], WorkerLabels.OfServer(["linux", WorkerLabels.Server]));
        Assert.Equal(["linux"], WorkerLabels.Remote(["linux", WorkerLabels.Server]));
    }
}
