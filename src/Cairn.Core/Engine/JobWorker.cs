using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>How a worker identifies itself and paces its heartbeat.</summary>
public sealed record WorkerOptions(string WorkerId, IReadOnlyCollection<string> Labels)
{
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The safety-net poll when no wake-up signal arrives.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A job stopped by an abort (the process shutting down, not the run being cancelled) goes back to the
    /// queue for another worker, instead of ending cancelled: what a server or a fleet worker wants; not a laptop.</summary>
    public bool ReleaseWhenAborted { get; init; }
}

/// <summary>Leases queued jobs one at a time and runs each on its executor, heartbeating the lease, until told to stop.</summary>
public sealed class JobWorker(JobWorkerContext services, WorkerOptions options)
{
    /// <summary>Runs until <paramref name="stopping"/> (take no new job; finish the current one) or
    /// <paramref name="aborting"/> (also cancel the current one).</summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken aborting)
    {
        while (!stopping.IsCancellationRequested)
        {
            JobLease? lease;
            try
            {
                // A stop may land while a claim waits for the store: that is an ordinary end, not a failure.
                lease = await services.Queue.TryLeaseAsync(options.WorkerId, options.Labels, stopping);
                if (lease is null)
                {
                    await services.Queue.WaitForWorkAsync(options.IdlePoll, stopping);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            await new JobAttempt(services, lease).RunAsync(options.Heartbeat, aborting, options.ReleaseWhenAborted);
        }
    }
}
