using Cairn.Core.Telemetry;
using Cairn.Server.Tests.Workers;

namespace Cairn.Server.Tests.Telemetry;

/// <summary>A lease handed to an HTTP worker carries its run's trace context and when the job was queued, so that the
/// worker's spans of the job are children of the run's root in the run's trace.</summary>
public sealed class WorkerLeaseTraceTests
{
    [Fact]
    public async Task A_lease_grant_carries_the_runs_trace_parent_and_when_the_job_was_queued()
    {
        await using var world = await WorkerServer.StartAsync();
        var runId = await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");

        var grant = await WorkerServer.LeaseAsync(worker);
        var run = await world.Server.GetRunAsync(runId);

        Assert.NotNull(run.TraceId);
        Assert.Equal(run.TraceId, RunTrace.TraceIdOf(grant.TraceParent));
        Assert.NotNull(grant.QueuedAt);
        Assert.InRange(grant.QueuedAt.Value, run.CreatedAt, grant.ExpiresAt);
    }
}
