using System.Runtime.ExceptionServices;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Runs one plan to its end inside this process: writes it, starts <c>parallel</c> workers on the same
/// store, and waits for the coordinator's verdict. This is <c>cairn run</c>'s engine; the server runs the same parts.</summary>
public sealed class InProcessRunHost(JobWorkerContext services, int parallel)
{
    // The host waits for the verdict of the coordinator its workers advance runs with: it must be the store's own.
    private readonly RunCoordinator _coordinator = services.Coordinator as RunCoordinator
        ?? throw new ArgumentException("a run in this process needs its workers to advance runs with the store's RunCoordinator", nameof(services));

    /// <summary>Runs the plan. Cancelling <paramref name="cancellation"/> cancels the run: jobs not started are
    /// cancelled, running ones are killed, and the run still ends with a recorded verdict.</summary>
    public async Task<RunRecord> ExecuteAsync(RunPlan plan, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var finished = new TaskCompletionSource<RunRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        long runId = 0;
        void OnFinished(RunRecord r)
        {
            if (r.Id == Interlocked.Read(ref runId))
            {
                finished.TrySetResult(r);
            }
        }

        _coordinator.RunFinished += OnFinished;
        using var stopping = new CancellationTokenSource();
        using var aborting = new CancellationTokenSource();
        var workers = new List<Task>();
        try
        {
            var run = await _coordinator.StartRunAsync(plan, CancellationToken.None);
            Interlocked.Exchange(ref runId, run.Id);

            // A run that ended as it started (every job reused) raised its event before its id was known here.
            if (await services.Store.GetRunAsync(run.Id, CancellationToken.None) is { Status: not RunStatus.Running } ended)
            {
                return ended;
            }

            // This host runs every job of its plan, so its workers carry every label the plan's runners ask for.
            var labels = plan.Jobs.SelectMany(j => j.Labels).Distinct(StringComparer.Ordinal).ToList();
            workers.AddRange(Enumerable.Range(1, Math.Max(1, parallel))
                .Select(i => new JobWorker(services, new WorkerOptions($"local-{i}", labels)).RunAsync(stopping.Token, aborting.Token)));
            await using var onCancel = cancellation.Register(() => _ = CancelAsync(run.Id, aborting));

            // A worker only fails when the store does (a full disk, say); the run cannot end then, so stop and say why.
            var workerFault = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var worker in workers)
            {
                _ = worker.ContinueWith(t => workerFault.TrySetResult(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            if (await Task.WhenAny(finished.Task, workerFault.Task) == workerFault.Task)
            {
                await aborting.CancelAsync();
                ExceptionDispatchInfo.Throw(await workerFault.Task);
            }

            return await finished.Task;
        }
        finally
        {
            _coordinator.RunFinished -= OnFinished;
            await stopping.CancelAsync();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>Cancels the run the way any cancel does (the workers hear of it through their heartbeats); when the store
    /// cannot take the request, the jobs are aborted here so that the run still ends.</summary>
    private async Task CancelAsync(long runId, CancellationTokenSource aborting)
    {
        try
        {
            await _coordinator.CancelRunAsync(runId, "the run was cancelled", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await aborting.CancelAsync();
        }
    }
}
