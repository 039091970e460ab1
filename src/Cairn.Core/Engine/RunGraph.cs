using System.Diagnostics.CodeAnalysis;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>One run's jobs as a graph (who needs whom, both ways), with what this process knows of each job's status.
/// An ended status never changes, so what it knows of ended jobs stays true whoever ends what; what it knows of a job that
/// has not ended may be stale, since another process may have moved it since.</summary>
/// <remarks>Jobs are indexed in plan order. Two cursors only move forward, past jobs known to have ended: each job's
/// over its needs, and the run's over its jobs. So asking for a job's first need not known ended, or for the run's first
/// job not known ended, costs over a whole run no more than its edges and its jobs.</remarks>
internal sealed class RunGraph
{
    private readonly JobRecord[] _jobs;
    private readonly Dictionary<long, int> _byId;
    private readonly Dictionary<string, int> _byName;
    private readonly int[][] _needs;
    private readonly int[][] _dependents;
    private readonly JobStatus[] _status;
    private readonly int[] _needCursor;
    private int _firstOpen;
    private int _open;

    public RunGraph(IReadOnlyList<JobRecord> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _jobs = [.. jobs];
        _byId = new Dictionary<long, int>(_jobs.Length);
        _byName = new Dictionary<string, int>(_jobs.Length, StringComparer.Ordinal);
        for (var i = 0; i < _jobs.Length; i++)
        {
            _byId[_jobs[i].Id] = i;
            _byName[_jobs[i].Name] = i;
        }

        _needs = new int[_jobs.Length][];
        var dependents = new List<int>?[_jobs.Length];
        for (var i = 0; i < _jobs.Length; i++)
        {
            _needs[i] = [.. _jobs[i].Needs.Select(name => _byName.TryGetValue(name, out var need)
                ? need
                : throw new InvalidOperationException($"job '{_jobs[i].Name}' needs '{name}', which run {_jobs[i].RunId} does not have"))];
            foreach (var need in _needs[i])
            {
                (dependents[need] ??= []).Add(i);
            }
        }

        _dependents = [.. dependents.Select(d => d is null ? [] : d.ToArray())];
        _status = [.. _jobs.Select(j => j.Status)];
        _open = _status.Count(s => !s.IsTerminal());
        _needCursor = new int[_jobs.Length];
    }

    public int Count => _jobs.Length;

    /// <summary>Whether every job is known to have ended.</summary>
    public bool AllEnded => _open == 0;

    public long IdOf(int index) => _jobs[index].Id;

    public JobStatus StatusOf(int index) => _status[index];

    /// <summary>The job as read, with the status last known.</summary>
    public JobRecord Job(int index) => _jobs[index] with { Status = _status[index] };

    public bool TryIndexOf(long jobId, out int index) => _byId.TryGetValue(jobId, out index);

    public IReadOnlyList<int> NeedsOf(int index) => _needs[index];

    public IReadOnlyList<int> DependentsOf(int index) => _dependents[index];

    /// <summary>Records a status read from the store or written to it. True when this is how the job is first known to
    /// have ended; a job known ended keeps its status.</summary>
    public bool Learn(int index, JobStatus status)
    {
        if (_status[index].IsTerminal())
        {
            return false;
        }

        _status[index] = status;
        if (!status.IsTerminal())
        {
            return false;
        }

        _open--;
        return true;
    }

    /// <summary>The first need of job <paramref name="index"/> not known to have ended, other than <paramref name="besides"/>;
    /// -1 when there is none.</summary>
    public int FirstUnendedNeed(int index, int besides = -1)
    {
        var needs = _needs[index];
        ref var cursor = ref _needCursor[index];
        while (cursor < needs.Length && _status[needs[cursor]].IsTerminal())
        {
            cursor++;
        }

        for (var i = cursor; i < needs.Length; i++)
        {
            if (needs[i] != besides && !_status[needs[i]].IsTerminal())
            {
                return needs[i];
            }
        }

        return -1;
    }

    /// <summary>Up to <paramref name="limit"/> jobs not known to have ended, the first in plan order first.</summary>
    public List<int> FirstOpen(int limit)
    {
        while (_firstOpen < _jobs.Length && _status[_firstOpen].IsTerminal())
        {
            _firstOpen++;
        }

        var open = new List<int>(Math.Min(limit, _open));
        for (var i = _firstOpen; i < _jobs.Length && open.Count < limit; i++)
        {
            if (!_status[i].IsTerminal())
            {
                open.Add(i);
            }
        }

        return open;
    }

    /// <summary>The jobs by name with the statuses last known, as conditions and gates read them.</summary>
    public IReadOnlyDictionary<string, JobRecord> ByName() => new JobsByName(this);

    private sealed class JobsByName(RunGraph graph) : IReadOnlyDictionary<string, JobRecord>
    {
        public JobRecord this[string key] =>
            TryGetValue(key, out var job) ? job : throw new KeyNotFoundException($"the run has no job '{key}'");

        public IEnumerable<string> Keys => graph._jobs.Select(j => j.Name);

        public IEnumerable<JobRecord> Values => Enumerable.Range(0, graph.Count).Select(graph.Job);

        public int Count => graph.Count;

        public bool ContainsKey(string key) => graph._byName.ContainsKey(key);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out JobRecord value)
        {
            if (graph._byName.TryGetValue(key, out var index))
            {
                value = graph.Job(index);
                return true;
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, JobRecord>> GetEnumerator() =>
            Values.Select(j => KeyValuePair.Create(j.Name, j)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
