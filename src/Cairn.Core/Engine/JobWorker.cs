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

/// <summary>What a worker runs with: the queue, the store, the coordinator and where jobs go.</summary>
public sealed record WorkerServices(
    IJobQueue Queue,
    IRunStore Store,
    RunCoordinator Coordinator,
    IExecutorResolver Executors,
    IWorkspaceProvider Workspaces,
    ISecretSource Secrets,
    IRunObserver Observer,
    RetryPolicy Retry,
    TimeProvider Time)
{
    /// <summary>The cap on the UTF-8 bytes of output one job attempt stores; past it the rest is dropped, saying so.</summary>
    public long MaxLogBytes { get; init; } = JobReporter.DefaultMaxLogBytes;
}

/// <summary>Leases queued jobs one at a time and runs each on its executor, heartbeating the lease, until told to stop.</summary>
public sealed class JobWorker(WorkerServices services, WorkerOptions options)
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
