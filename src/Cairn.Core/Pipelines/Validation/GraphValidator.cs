using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Checks <c>needs:</c> across jobs: every name is a job, no job needs itself, and no cycles (each reported once).</summary>
internal sealed class GraphValidator(Diagnostics diagnostics)
{
    public void Check(IReadOnlyList<(JobDefinition Job, List<YamlScalar> Needs)> jobs)
    {
        var keys = jobs.Select(j => j.Job.Key).ToList();
        var known = keys.ToHashSet(StringComparer.Ordinal);
        var edges = new Dictionary<string, List<(string Target, YamlScalar Node)>>(StringComparer.Ordinal);
        foreach (var (job, needs) in jobs)
        {
            var valid = new List<(string, YamlScalar)>();
            foreach (var need in needs)
            {
                if (need.Value == job.Key)
                {
                    diagnostics.Error(need, $"job '{job.Key}' needs itself; remove '{need.Value}' from its 'needs'");
                }
                else if (!known.Contains(need.Value))
                {
                    var others = keys.Where(k => k != job.Key).ToList();
                    diagnostics.Error(need, $"job '{job.Key}' needs '{need.Value}', which is not a job{ValueReader.DidYouMean(need.Value, others)}");
                }
                else
                {
                    valid.Add((need.Value, need));
                }
            }

            edges[job.Key] = valid;
        }

        ReportCycles(keys, edges);
    }

    private void ReportCycles(List<string> order, Dictionary<string, List<(string Target, YamlScalar Node)>> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in order)
        {
            Visit(start);
        }

        void Visit(string job)
        {
            state[job] = 1;
            path.Add(job);
            foreach (var (target, _) in edges[job])
            {
                var targetState = state.GetValueOrDefault(target);
                if (targetState == 1)
                {
                    Report(path[path.IndexOf(target)..]);
                }
                else if (targetState == 0)
                {
                    Visit(target);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[job] = 2;
        }

        void Report(List<string> cycle)
        {
            // Start at the job written first, so the same cycle found from elsewhere prints (and dedupes) the same way.
            var first = cycle.MinBy(order.IndexOf)!;
            var at = cycle.IndexOf(first);
            var rotated = cycle[at..].Concat(cycle[..at]).ToList();
            var text = string.Join(" -> ", rotated.Append(first));
            if (reported.Add(text))
            {
                var next = rotated.Count > 1 ? rotated[1] : first;
                var node = edges[first].First(e => e.Target == next).Node;
                diagnostics.Error(node, $"dependency cycle: {text}");
            }
        }
    }
}
