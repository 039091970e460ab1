using System.Collections.Concurrent;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Decides what happens next in a run: which waiting jobs are queued or skipped when their needs end,
/// and the run's verdict when every job has ended. All changes go through the store as compare-and-set,
/// so any number of coordinators may advance the same run.</summary>
public sealed class RunCoordinator(IRunStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _gates = new();
    private readonly ConcurrentDictionary<long, IReadOnlyList<JobRecord>> _graphs = new();

    /// <summary>Raised once per run, by the coordinator whose compare-and-set ended it.</summary>
    public event Action<RunRecord>? RunFinished;

    /// <summary>Queues or skips whatever can move; ends the run when nothing is left. Safe to call at any time.</summary>
    public async Task AdvanceAsync(long runId, CancellationToken cancellationToken)
    {
        // Within one process, advancing a run is serialized: it saves re-reading while another advance is mid-way.
        // Across processes the compare-and-set transitions keep it correct.
        var gate = _gates.GetOrAdd(runId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await AdvanceCoreAsync(runId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Cancels every job of the run that has not started; running jobs are stopped by whoever runs them.</summary>
    public async Task CancelAsync(long runId, CancellationToken cancellationToken)
    {
        var jobs = await store.GetJobsAsync(runId, cancellationToken);
        foreach (var job in jobs)
        {
            if (job.Status is JobStatus.Waiting or JobStatus.Queued)
            {
                await store.TryTransitionJobAsync(job.Id, job.Status, JobStatus.Cancelled,
                    new JobTransition(time.GetUtcNow(), FailureClass.Cancelled, "the run was cancelled"), cancellationToken);
            }
        }

        await AdvanceAsync(runId, cancellationToken);
    }

    private async Task AdvanceCoreAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} does not exist");
        if (run.Status != RunStatus.Running)
        {
            Forget(runId);
            return;
        }

        // A run's jobs, needs and definitions never change: read them once, then only statuses on each advance.
        if (!_graphs.TryGetValue(runId, out var graph))
        {
            graph = await store.GetJobsAsync(runId, cancellationToken);
            _graphs[runId] = graph;
        }

        var statuses = await store.GetJobStatusesAsync(runId, cancellationToken);
        var jobs = graph.ToDictionary(j => j.Name, j => j with { Status = statuses[j.Id] }, StringComparer.Ordinal);
        bool moved;
        do
        {
            moved = false;
            foreach (var job in jobs.Values.Where(j => j.Status == JobStatus.Waiting).ToList())
            {
                var needs = job.Needs.Select(n => jobs[n]).ToList();
                if (needs.Any(n => !n.Status.IsTerminal()))
                {
                    continue;
                }

                var next = Decide(job, needs, jobs);
                var transition = next == JobStatus.Skipped
                    ? new JobTransition(time.GetUtcNow(), null, SkipReason(job, needs))
                    : JobTransition.Now(time);
                if (await store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, next, transition, cancellationToken))
                {
                    jobs[job.Name] = job with { Status = next };
                    moved = true;
                }
                else if (await store.GetJobAsync(job.Id, cancellationToken) is { } fresh)
                {
                    // Someone else moved it; take their word for it.
                    jobs[job.Name] = fresh;
                }
            }
        }
        while (moved);

        if (jobs.Values.All(j => j.Status.IsTerminal()))
        {
            var verdict = Verdict(jobs.Values);
            var at = time.GetUtcNow();
            if (await store.TryTransitionRunAsync(runId, RunStatus.Running, verdict, at, cancellationToken))
            {
                Forget(runId);
                RunFinished?.Invoke(run with { Status = verdict, FinishedAt = at });
            }
        }
    }

    private void Forget(long runId)
    {
        _graphs.TryRemove(runId, out _);
        _gates.TryRemove(runId, out _);
    }

    private static JobStatus Decide(JobRecord job, IReadOnlyList<JobRecord> needs, IReadOnlyDictionary<string, JobRecord> jobs)
    {
        var definition = JobDefinitionJson.Deserialize(job.Definition);
        var status = JobStatusContext.For(needs, jobs);
        if (definition.If is null)
        {
            return status.AllNeedsSucceeded ? JobStatus.Queued : JobStatus.Skipped;
        }

        var context = new ExpressionContext(definition.Matrix, definition.Env, definition.Inputs);
        return ExpressionEngine.EvaluateCondition(definition.If, context, status.ToStatusContext())
            ? JobStatus.Queued
            : JobStatus.Skipped;
    }

    private static string SkipReason(JobRecord job, IReadOnlyList<JobRecord> needs)
    {
        var blocker = needs.FirstOrDefault(n => n.Status != JobStatus.Succeeded);
        return blocker is null
            ? "its condition was false"
            : $"'{blocker.Name}' {blocker.Status.ToWire()}";
    }

    private static RunStatus Verdict(IEnumerable<JobRecord> jobs)
    {
        var statuses = jobs.Select(j => j.Status).ToList();
        if (statuses.Contains(JobStatus.Cancelled))
        {
            return RunStatus.Cancelled;
        }

        return statuses.Contains(JobStatus.Failed) ? RunStatus.Failed : RunStatus.Succeeded;
    }
}
