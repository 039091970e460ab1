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

/// <summary>Leases queued jobs one at a time and runs each on its executor, heartbeating the lease, until told to stop.
/// A job's outcome and the worker's next lease are one call to the queue (<see cref="IJobQueue.CompleteAndLeaseAsync"/>),
/// unless the worker is stopping.</summary>
public sealed class JobWorker(JobWorkerContext services, WorkerOptions options)
{
    /// <summary>Runs until <paramref name="stopping"/> (take no new job; finish the current one) or
    /// <paramref name="aborting"/> (also cancel the current one).</summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken aborting)
    {
        JobLease? next = null;

        // A lease taken with the last completion is run even when a stop came meanwhile: it is held already, and a job
        // left leased would wait for the reaper.
        while (next is not null || !stopping.IsCancellationRequested)
        {
            var lease = next;
            next = null;
            if (lease is null)
            {
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
            }

            next = await new JobAttempt(services, lease).RunAsync(
                options.Heartbeat, aborting, options.ReleaseWhenAborted, new NextClaim(options.WorkerId, options.Labels, stopping));
        }
    }
}

/// <summary>Who claims the next job with a completion, and the token that says the worker takes no new job.</summary>
internal sealed record NextClaim(string WorkerId, IReadOnlyCollection<string> Labels, CancellationToken Stopping);
