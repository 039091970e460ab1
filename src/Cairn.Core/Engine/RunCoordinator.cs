using System.Collections.Concurrent;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;

namespace Cairn.Core.Engine;

/// <summary>Decides what happens next in a run: which waiting jobs are queued or skipped when their needs end,
/// and the run's verdict when every job has ended. All changes go through the store as compare-and-set,
/// so any number of coordinators may advance the same run. An approval job whose needs ended is not queued: its gate
/// opens instead (<see cref="GateOpener"/>), and it waits for people.</summary>
/// <param name="notifier">Told when a gate opens (a tracker's work item hears of it); nobody when null.</param>
public sealed class RunCoordinator(IRunStore store, TimeProvider time, IWorkItemNotifier? notifier = null) : IRunAdvancer
{
    private const int GroupRepairBatch = 100;

    /// <summary>A started run of a group whose jobs all still wait this long after its last change was left by a crash.</summary>
    private static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<long, RunGraph> _graphs = new();
    private readonly ConcurrentDictionary<long, RunRecord> _runs = new();
    private readonly GateOpener _gateOpener = new(store, time, notifier ?? NoWorkItemNotifier.Instance);

    /// <summary>Raised once per run, by the coordinator whose compare-and-set ended it.</summary>
    public event Action<RunRecord>? RunFinished;

    /// <summary>Writes the plan as a run and queues the jobs that can start: the one way a run begins, whoever starts it.
    /// A run whose jobs are all reused ends here, succeeded. With an idempotency key already used, returns the first run.</summary>
    public async Task<RunRecord> StartRunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var run = await store.CreateRunAsync(plan, cancellationToken);
        await AdvanceAsync(run.Id, cancellationToken);
        return run;
    }

    /// <summary>Queues or skips whatever can move; ends the run when nothing is left. Safe to call at any time.</summary>
    public Task AdvanceAsync(long runId, CancellationToken cancellationToken) => AdvanceAsync(runId, null, cancellationToken);

    /// <summary>Queues or skips what the outcome of job <paramref name="completedJobId"/>, just written, lets move, looking only
    /// at the jobs that need it; ends the run when nothing is left.</summary>
    public Task AdvanceAsync(long runId, long completedJobId, CancellationToken cancellationToken) =>
        AdvanceAsync(runId, (long?)completedJobId, cancellationToken);

    private async Task AdvanceAsync(long runId, long? completedJobId, CancellationToken cancellationToken)
    {
        // Within one process, advancing a run is serialized: it saves re-reading while another advance is mid-way.
        // Across processes the compare-and-set transitions keep it correct.
        var gate = _gates.GetOrAdd(runId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await AdvanceCoreAsync(runId, completedJobId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Cancels the run, from any process: marks it so that none of its jobs is queued any more, cancels its waiting
    /// and queued jobs with <paramref name="reason"/>, and has the workers running its jobs stop them (they learn of it from
    /// their heartbeat, at once). The run ends cancelled when its last running job has stopped; a run that waited for
    /// approval ends at once. False when it had already ended.</summary>
    public async Task<bool> CancelRunAsync(long runId, string reason, CancellationToken cancellationToken)
    {
        if (!await store.RequestCancelAsync(runId, reason, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        await AdvanceAsync(runId, cancellationToken);
        return true;
    }

    /// <summary>Starts a run that waited for approval: waiting → running, then its first jobs are queued as
    /// <see cref="StartRunAsync"/> queues them; or, when an older run of its concurrency group has not ended, it joins the
    /// group's queue, held. False when it was not waiting for approval (approved, rejected or cancelled meanwhile).</summary>
    public async Task<bool> ApproveRunAsync(long runId, CancellationToken cancellationToken)
    {
        if (await store.ApproveRunAsync(runId, time.GetUtcNow(), cancellationToken) is not { } approved)
        {
            return false;
        }

        if (approved.Status == RunStatus.Running)
        {
            await AdvanceAsync(runId, cancellationToken);
        }

        return true;
    }

    /// <summary>Starts what a crash left stalled in concurrency groups: the next held run of a group none of whose runs runs,
    /// and a started run of a group whose first jobs nobody queued. Safe to call at any time, from any process.</summary>
    /// <returns>How many runs it advanced.</returns>
    public async Task<int> RepairGroupsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var runs = await store.RepairGroupsAsync(now, now - StalledAfter, GroupRepairBatch, cancellationToken);
        foreach (var runId in runs)
        {
            await AdvanceAsync(runId, cancellationToken);
        }

        return runs.Count;
    }

    /// <summary>Ends a run that waits for approval as cancelled, its jobs cancelled with <paramref name="reason"/>. False when
    /// it was not waiting (a run approved meanwhile is not touched).</summary>
    public async Task<bool> RejectRunAsync(long runId, string reason, CancellationToken cancellationToken)
    {
        if (!await store.RequestCancelAsync(runId, RunStatus.Waiting, reason, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        await AdvanceAsync(runId, cancellationToken);
        return true;
    }

    private async Task AdvanceCoreAsync(long runId, long? completedJobId, CancellationToken cancellationToken)
    {
        var run = await ReadRunAsync(runId, cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} does not exist");
        if (run.Status.HasEnded())
        {
            Forget(runId);
            return;
        }

        if (run.Status == RunStatus.Waiting && !run.CancelRequested)
        {
            // Nothing of a run that waits for approval moves until it is approved (or cancelled, below).
            return;
        }

        // A run's jobs, needs and definitions never change: read them once, then only the statuses an advance needs.
        var fresh = false;
        if (!_graphs.TryGetValue(runId, out var graph))
        {
            graph = new RunGraph(await store.GetJobsAsync(runId, cancellationToken));
            _graphs[runId] = graph;
            fresh = true;
        }

        var advance = new RunAdvance(store, time, _gateOpener, run, graph);
        try
        {
            if (run.CancelRequested)
            {
                await advance.CancelPendingAsync(fresh, cancellationToken);
            }
            else if (completedJobId is { } jobId && !fresh && graph.TryIndexOf(jobId, out var completed))
            {
                await advance.AfterCompletionAsync(completed, cancellationToken);
            }
            else
            {
                // Started, approved, repaired, a gate decided, or the first advance of the run in this process: look at every job.
                await advance.FullPassAsync(fresh, cancellationToken);
            }

            if (!await advance.AllEndedAsync(cancellationToken))
            {
                return;
            }
        }
        catch
        {
            // What this process knew may be half updated: the next advance reads the run again and looks at every job.
            _graphs.TryRemove(runId, out _);
            _runs.TryRemove(runId, out _);
            throw;
        }

        var verdict = run.CancelRequested ? RunStatus.Cancelled : Verdict(graph);
        var at = time.GetUtcNow();
        if (await store.TryTransitionRunAsync(runId, run.Status, verdict, at, cancellationToken))
        {
            Forget(runId);
            // Read whole once more, so that whoever hears of the end sees the run as it ended (when it started, say).
            var ended = (await store.GetRunAsync(runId, cancellationToken) ?? run) with { Status = verdict, FinishedAt = at };
            Telemetry.CairnMeasurements.RunEnded(ended);
            RunFinished?.Invoke(ended);
            await StartNextInGroupAsync(run, cancellationToken);
        }
    }

    /// <summary>Once a run of a concurrency group has ended, the group's oldest held run starts, unless another of its runs
    /// runs. Should this process stop in between, <see cref="RepairGroupsAsync"/> does it later.</summary>
    private async Task StartNextInGroupAsync(RunRecord ended, CancellationToken cancellationToken)
    {
        if (ended.ConcurrencyGroup is not { } group
            || await store.StartNextInGroupAsync(ended.Repository, group, time.GetUtcNow(), cancellationToken) is not { } next)
        {
            return;
        }

        await AdvanceAsync(next.Id, cancellationToken);
    }

    /// <summary>The run: read whole on its first advance while it runs, afterwards only its status and cancel request, which
    /// are all of it that an advance reads and that changes while it runs.</summary>
    private async Task<RunRecord?> ReadRunAsync(long runId, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(runId, out var known))
        {
            return await store.GetRunStateAsync(runId, cancellationToken) is { } state
                ? known with { Status = state.Status, CancelRequested = state.CancelRequested, CancelReason = state.CancelReason }
                : null;
        }

        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is { Status: RunStatus.Running })
        {
            _runs[runId] = run;
        }

        return run;
    }

    private void Forget(long runId)
    {
        _runs.TryRemove(runId, out _);
        _graphs.TryRemove(runId, out _);
        _gates.TryRemove(runId, out _);
    }

    private static RunStatus Verdict(RunGraph graph)
    {
        var failed = false;
        for (var i = 0; i < graph.Count; i++)
        {
            switch (graph.StatusOf(i))
            {
                case JobStatus.Cancelled:
                    return RunStatus.Cancelled;
                case JobStatus.Failed:
                    failed = true;
                    break;
            }
        }

        return failed ? RunStatus.Failed : RunStatus.Succeeded;
    }
}
