using Cairn.Core.Runs;

namespace Cairn.Server.Dashboard.Graph;

/// <summary>Pure: a run's jobs become a <see cref="JobGraph"/>. Matrix legs are grouped under the job they expand from;
/// columns are the longest path from the roots; two barycentre sweeps order each column.</summary>
public static class JobGraphLayout
{
    private const int Sweeps = 2;

    public static JobGraph Lay(IReadOnlyList<GraphJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        var groups = jobs.GroupBy(j => j.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            index[groups[i][0].Key] = i;
        }

        var keyOfName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            keyOfName[job.Name] = job.Key;
        }

        // A need outside the run (a job a rerun did not bring along) has nothing to draw.
        var needs = groups.Select(g => g
            .SelectMany(job => job.Needs)
            .Select(name => keyOfName.TryGetValue(name, out var key) ? index[key] : -1)
            .Where(from => from >= 0 && from != index[g[0].Key])
            .Distinct()
            .ToList()).ToList();

        var layers = Layers(needs);

        // A need that spans columns passes through a waypoint in each column between, which takes a row there like a
        // node does: the ordering then keeps it clear of the nodes it would otherwise cross.
        var links = new List<List<int>>(needs.Select(n => new List<int>()));
        var layerOf = new List<int>(layers);
        var routes = new List<(int From, int To, List<int> Via)>();
        for (var to = 0; to < needs.Count; to++)
        {
            foreach (var from in needs[to])
            {
                var via = new List<int>();
                var previous = from;
                for (var layer = layers[from] + 1; layer < layers[to]; layer++)
                {
                    layerOf.Add(layer);
                    links.Add([previous]);
                    previous = links.Count - 1;
                    via.Add(previous);
                }

                links[to].Add(previous);
                routes.Add((from, to, via));
            }
        }

        var rows = Order([.. layerOf], links);
        var nodes = groups.Select((legs, i) => new GraphNode(
            legs[0].Key, legs, legs.Count > 1 || !string.Equals(legs[0].Name, legs[0].Key, StringComparison.Ordinal),
            Summary(legs), layers[i], rows[i])).ToList();
        var edges = routes.Select(r => new GraphEdge(r.From, r.To) { Via = [.. r.Via.Select(v => new GraphPoint(layerOf[v], rows[v]))] }).ToList();
        var slots = layerOf.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        return new JobGraph(nodes, edges) { Slots = slots };
    }

    /// <summary>What a group shows as a whole: a failure first, then what is still moving, then how it ended.</summary>
    public static JobStatus Summary(IReadOnlyList<GraphJob> legs)
    {
        ArgumentNullException.ThrowIfNull(legs);
        JobStatus[] precedence = [JobStatus.Failed, JobStatus.Running, JobStatus.Queued, JobStatus.Waiting, JobStatus.Cancelled, JobStatus.Succeeded];
        foreach (var status in precedence)
        {
            if (legs.Any(l => l.Status == status))
            {
                return status;
            }
        }

        return JobStatus.Skipped;
    }

    // Longest path from a root, by depth-first search with memo; a cycle (never planned) is cut where it is met.
    private static int[] Layers(List<List<int>> needs)
    {
        var layers = Enumerable.Repeat(-1, needs.Count).ToArray();
        var visiting = new bool[needs.Count];

        int LayerOf(int node)
        {
            if (layers[node] >= 0)
            {
                return layers[node];
            }

            visiting[node] = true;
            var layer = 0;
            foreach (var from in needs[node])
            {
                if (!visiting[from])
                {
                    layer = Math.Max(layer, LayerOf(from) + 1);
                }
            }

            visiting[node] = false;
            return layers[node] = layer;
        }

        for (var i = 0; i < needs.Count; i++)
        {
            LayerOf(i);
        }

        return layers;
    }

    private static int[] Order(int[] layers, List<List<int>> needs)
    {
        var count = layers.Length == 0 ? 0 : layers.Max() + 1;
        var columns = Enumerable.Range(0, count).Select(_ => new List<int>()).ToList();
        for (var i = 0; i < layers.Length; i++)
        {
            columns[layers[i]].Add(i);
        }

        var dependents = Enumerable.Range(0, layers.Length).Select(_ => new List<int>()).ToList();
        for (var to = 0; to < needs.Count; to++)
        {
            foreach (var from in needs[to])
            {
                dependents[from].Add(to);
            }
        }

        var rows = new double[layers.Length];
        Number(columns, rows);
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            for (var c = 1; c < count; c++)
            {
                Reorder(columns[c], needs, rows);
            }

            for (var c = count - 2; c >= 0; c--)
            {
                Reorder(columns[c], dependents, rows);
            }

            Number(columns, rows);
        }

        return [.. rows.Select(r => (int)r)];
    }

    // A node without neighbours on that side keeps its place; the sort is stable, so ties keep the pipeline's order.
    private static void Reorder(List<int> column, List<List<int>> neighbours, double[] rows)
    {
        var keys = column.ToDictionary(n => n, n => neighbours[n].Count == 0 ? rows[n] : neighbours[n].Average(m => rows[m]));
        var ordered = column.OrderBy(n => keys[n]).ThenBy(n => rows[n]).ToList();
        column.Clear();
        column.AddRange(ordered);
        for (var i = 0; i < column.Count; i++)
        {
            rows[column[i]] = i;
        }
    }

    private static void Number(List<List<int>> columns, double[] rows)
    {
        foreach (var column in columns)
        {
            for (var i = 0; i < column.Count; i++)
            {
                rows[column[i]] = i;
            }
        }
    }
}
