using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>One advance of a run over its <see cref="RunGraph"/>: reads from the store what it must, skips the waiting jobs
/// whose needs let them down, opens approval gates, queues the jobs it releases in one batch, and tells whether every job
/// has ended. After a completion it looks only at the jobs that needed the completed one.</summary>
/// <remarks>
/// Several processes may advance one run (server replicas, HTTP workers completing on any of them), and each knows only
/// the ends it has seen or read. A waiting job is judged only once every need is known ended, and a need this process has
/// not seen end is read from the store first, after the advance's own writes. Every caller commits the outcome it reports
/// before advancing, so of two needs of one job ending at once in two processes, the one that reads second sees both ended
/// and judges the job (both may judge it; the compare-and-set lets one move it). A skip this advance writes is such an end
/// too: what it releases is judged only on reads made after it. The run's end is judged the same way: a job is taken as
/// not ended only when this advance has seen it so since its own last write of an end; otherwise it is read again.
/// </remarks>
internal sealed class RunAdvance(IRunStore store, TimeProvider time, GateOpener gates, RunRecord run, RunGraph graph)
{
    private const string CancelledDetail = "the run was cancelled";
    private const int EndProbeBatch = 32;

    /// <summary>Jobs read or written not ended since this advance last wrote an end.</summary>
    private readonly HashSet<int> _seenOpen = [];

    /// <summary>Jobs newly known ended whose dependents are still to be looked at.</summary>
    private readonly Queue<int> _ended = new();

    /// <summary>Jobs whose status is to be read before going further.</summary>
    private readonly HashSet<int> _reads = [];

    private readonly HashSet<int> _judged = [];
    private readonly List<int> _candidates = [];
    private readonly List<int> _toQueue = [];

    /// <summary>After the outcome of job <paramref name="completed"/> was written: reads it, with the first need not known
    /// ended of each job that needs it and the run's first job not known ended (one query), and releases what it can.</summary>
    public async Task AfterCompletionAsync(int completed, CancellationToken cancellationToken)
    {
        _reads.Add(completed);
        foreach (var dependent in graph.DependentsOf(completed))
        {
            if (graph.StatusOf(dependent) == JobStatus.Waiting && graph.FirstUnendedNeed(dependent, completed) is var need and >= 0)
            {
                _reads.Add(need);
            }
        }

        _reads.UnionWith(graph.FirstOpen(1));
        await ReadAsync(cancellationToken);
        if (graph.StatusOf(completed).IsTerminal())
        {
            // Known ended before (read as another job's need) or now: either way its dependents are looked at here.
            if (!_ended.Contains(completed))
            {
                _ended.Enqueue(completed);
            }
        }

        await ReleaseAsync(cancellationToken);
    }

    /// <summary>Looks at every job: reads all statuses (unless <paramref name="fresh"/>: the graph was just read) and
    /// releases every waiting job whose needs have all ended.</summary>
    public async Task FullPassAsync(bool fresh, CancellationToken cancellationToken)
    {
        await ReadAllAsync(fresh, cancellationToken);
        for (var i = 0; i < graph.Count; i++)
        {
            if (graph.StatusOf(i) == JobStatus.Waiting && graph.FirstUnendedNeed(i) < 0 && _judged.Add(i))
            {
                _candidates.Add(i);
            }
        }

        await ReleaseAsync(cancellationToken);
    }

    /// <summary>Nothing more of a cancelled run starts: whoever advances it (the canceller, or a worker whose job ended
    /// meanwhile) cancels what waits or is queued, with the reason the request gave.</summary>
    public async Task CancelPendingAsync(bool fresh, CancellationToken cancellationToken)
    {
        await ReadAllAsync(fresh, cancellationToken);
        var reason = run.CancelReason ?? CancelledDetail;
        for (var i = 0; i < graph.Count; i++)
        {
            if (graph.StatusOf(i) is JobStatus.Waiting or JobStatus.Queued)
            {
                var status = await CancelIfPendingAsync(graph.IdOf(i), graph.StatusOf(i), reason, cancellationToken);
                Learn(i, status, written: true);
            }
        }
    }

    /// <summary>Whether every job of the run has ended, reading those this advance has not seen open since its last write.</summary>
    public async Task<bool> AllEndedAsync(CancellationToken cancellationToken)
    {
        var batch = 1;
        while (!graph.AllEnded)
        {
            var open = graph.FirstOpen(batch);
            if (_seenOpen.Contains(open[0]))
            {
                return false;
            }

            _reads.UnionWith(open);
            await ReadAsync(cancellationToken);
            if (open.Any(i => !graph.StatusOf(i).IsTerminal()))
            {
                return false;
            }

            batch = EndProbeBatch;
        }

        return true;
    }

    /// <summary>Until nothing more moves: looks at the dependents of jobs newly known ended, judges those whose needs have
    /// all ended, reads the first unended need of the others, and queues what was released in one statement.</summary>
    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_ended.TryDequeue(out var ended))
            {
                foreach (var dependent in graph.DependentsOf(ended))
                {
                    if (graph.StatusOf(dependent) != JobStatus.Waiting || _judged.Contains(dependent))
                    {
                        continue;
                    }

                    var need = graph.FirstUnendedNeed(dependent);
                    if (need < 0)
                    {
                        _judged.Add(dependent);
                        _candidates.Add(dependent);
                    }
                    else if (!_seenOpen.Contains(need))
                    {
                        // Seen open since this advance's last write of an end: whoever ends it will look at this job then.
                        _reads.Add(need);
                    }
                }
            }

            if (_candidates.Count > 0)
            {
                var candidates = _candidates.ToList();
                _candidates.Clear();
                foreach (var candidate in candidates)
                {
                    await JudgeAsync(candidate, cancellationToken);
                }
            }
            else if (_reads.Count > 0)
            {
                // Only once this round's skips are written: see the remarks.
                await ReadAsync(cancellationToken);
            }
            else if (_toQueue.Count > 0)
            {
                await QueueAsync(cancellationToken);
            }
            else
            {
                return;
            }
        }
    }

    private async Task JudgeAsync(int index, CancellationToken cancellationToken)
    {
        var job = graph.Job(index);
        var definition = JobDefinitionJson.Deserialize(job.Definition);
        var next = Decide(definition, index);
        if (next == JobStatus.Queued && string.Equals(definition.Kind, GateOpener.ApprovalKind, StringComparison.Ordinal))
        {
            // An approval job is never queued: it waits on its gate, which people decide.
            await gates.OpenAsync(run, job, definition, graph.ByName(), cancellationToken);
            return;
        }

        if (next == JobStatus.Queued)
        {
            _toQueue.Add(index);
            return;
        }

        var transition = new JobTransition(time.GetUtcNow(), null, SkipReason(index));
        if (await store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Skipped, transition, cancellationToken))
        {
            Learn(index, JobStatus.Skipped, written: true);
        }
        else
        {
            // Someone else moved it: take the store's word for it.
            _reads.Add(index);
        }
    }

    private async Task QueueAsync(CancellationToken cancellationToken)
    {
        var ids = _toQueue.Select(graph.IdOf).ToList();
        _toQueue.Clear();
        var queued = (await store.QueueJobsAsync(run.Id, ids, JobTransition.Now(time), cancellationToken)).ToHashSet();
        foreach (var id in ids)
        {
            graph.TryIndexOf(id, out var index);
            if (queued.Contains(id))
            {
                Learn(index, JobStatus.Queued, written: true);
            }
            else
            {
                // Someone else moved it, or a cancel of the run refused the queueing: take the store's word for it.
                _reads.Add(index);
            }
        }
    }

    private async Task ReadAllAsync(bool fresh, CancellationToken cancellationToken)
    {
        if (fresh)
        {
            for (var i = 0; i < graph.Count; i++)
            {
                Learn(i, graph.StatusOf(i), written: false);
            }

            return;
        }

        var statuses = await store.GetJobStatusesAsync(run.Id, cancellationToken);
        foreach (var (id, status) in statuses)
        {
            if (graph.TryIndexOf(id, out var index))
            {
                Learn(index, status, written: false);
            }
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var ids = _reads.Select(graph.IdOf).ToList();
        _reads.Clear();
        var statuses = await store.GetJobStatusesAsync(run.Id, ids, cancellationToken);
        foreach (var (id, status) in statuses)
        {
            if (graph.TryIndexOf(id, out var index))
            {
                Learn(index, status, written: false);
            }
        }
    }

    private void Learn(int index, JobStatus status, bool written)
    {
        if (written && status.IsTerminal())
        {
            // An end this advance wrote: what it saw open before may have ended since, unseen by whoever ended it.
            _seenOpen.Clear();
        }

        if (graph.Learn(index, status))
        {
            _ended.Enqueue(index);
        }

        if (!status.IsTerminal())
        {
            _seenOpen.Add(index);
        }
    }

    /// <summary>Moves a waiting or queued job to cancelled, following it while others move it (a worker may lease a queued
    /// job first: then it is running, and its worker stops it). Returns the status the job was left in.</summary>
    private async Task<JobStatus> CancelIfPendingAsync(long jobId, JobStatus status, string reason, CancellationToken cancellationToken)
    {
        while (status is JobStatus.Waiting or JobStatus.Queued)
        {
            var transition = new JobTransition(time.GetUtcNow(), FailureClass.Cancelled, reason);
            if (await store.TryTransitionJobAsync(jobId, status, JobStatus.Cancelled, transition, cancellationToken))
            {
                return JobStatus.Cancelled;
            }

            var fresh = await store.GetJobAsync(jobId, cancellationToken);
            if (fresh is null || fresh.Status == status)
            {
                // Nothing moved it, so the store refused for a reason that will not pass; leave it.
                return status;
            }

            status = fresh.Status;
        }

        return status;
    }

    private JobStatus Decide(JobDefinitionJson definition, int index)
    {
        if (definition.If is null)
        {
            return graph.NeedsOf(index).All(n => graph.StatusOf(n) == JobStatus.Succeeded) ? JobStatus.Queued : JobStatus.Skipped;
        }

        var status = JobStatusContext.For([.. graph.NeedsOf(index).Select(graph.Job)], graph.ByName());
        var context = new ExpressionContext(definition.Matrix, definition.Env, definition.Inputs);
        return ExpressionEngine.EvaluateCondition(definition.If, context, status.ToStatusContext())
            ? JobStatus.Queued
            : JobStatus.Skipped;
    }

    private string SkipReason(int index)
    {
        foreach (var need in graph.NeedsOf(index))
        {
            if (graph.StatusOf(need) != JobStatus.Succeeded)
            {
                return $"'{graph.Job(need).Name}' {graph.StatusOf(need).ToWire()}";
            }
        }

        return "its condition was false";
    }
}
