using System.Runtime.ExceptionServices;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Runs one plan to its end inside this process: writes it, starts <c>parallel</c> workers on the same
/// store, and waits for the coordinator's verdict. This is <c>cairn run</c>'s engine; the server runs the same parts.</summary>
public sealed class InProcessRunHost(WorkerServices services, int parallel)
{
    /// <summary>Runs the plan. Cancelling <paramref name="cancellation"/> cancels the run: jobs not started are
    /// cancelled, running ones are killed, and the run still ends with a recorded verdict.</summary>
    public async Task<RunRecord> ExecuteAsync(RunPlan plan, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var run = await services.Store.CreateRunAsync(plan, CancellationToken.None);
        var finished = new TaskCompletionSource<RunRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFinished(RunRecord r)
        {
            if (r.Id == run.Id)
            {
                finished.TrySetResult(r);
            }
        }

        services.Coordinator.RunFinished += OnFinished;
        using var stopping = new CancellationTokenSource();
        using var aborting = new CancellationTokenSource();

        // This host runs every job of its plan, so its workers carry every label the plan's runners ask for.
        var labels = plan.Jobs.SelectMany(j => j.Labels).Distinct(StringComparer.Ordinal).ToList();
        var workers = Enumerable.Range(1, Math.Max(1, parallel))
            .Select(i => new JobWorker(services, new WorkerOptions($"local-{i}", labels)).RunAsync(stopping.Token, aborting.Token))
            .ToList();

        try
        {
            await services.Coordinator.AdvanceAsync(run.Id, CancellationToken.None);
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
            services.Coordinator.RunFinished -= OnFinished;
            await stopping.CancelAsync();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private async Task CancelAsync(long runId, CancellationTokenSource aborting)
    {
        await aborting.CancelAsync();
        await services.Coordinator.CancelAsync(runId, CancellationToken.None);
    }
}
