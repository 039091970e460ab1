using Cairn.Core.Runs;

namespace Cairn.Server.Dashboard.Graph;

/// <summary>A run's jobs laid out: one node per pipeline job (a matrix's legs together), in columns by the longest
/// path from the jobs that need nothing, ordered within a column to cross few edges.</summary>
public sealed record JobGraph(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges)
{
    /// <summary>How many columns the nodes take.</summary>
    public int Layers => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.Layer) + 1;

    /// <summary>How many nodes the fullest column holds.</summary>
    public int Rows => Nodes.Count == 0 ? 0 : Nodes.GroupBy(n => n.Layer).Max(g => g.Count());
}

/// <summary>A pipeline job in the graph: a plain job, or a matrix whose <see cref="Legs"/> are its expanded jobs.</summary>
/// <param name="Layer">The column: the longest chain of needs that leads to it.</param>
/// <param name="Row">Its place within the column, from the top.</param>
public sealed record GraphNode(string Key, IReadOnlyList<GraphJob> Legs, bool IsMatrix, JobStatus Status, int Layer, int Row)
{
    /// <summary>How many legs succeeded.</summary>
    public int Passed => Legs.Count(l => l.Status == JobStatus.Succeeded);

    /// <summary>The job a click opens: the first leg that failed, else one that runs, else the first.</summary>
    public GraphJob Target =>
        Legs.FirstOrDefault(l => l.Status == JobStatus.Failed) ?? Legs.FirstOrDefault(l => l.Status == JobStatus.Running) ?? Legs[0];
}

/// <summary>A need: <see cref="From"/> must end before <see cref="To"/> (indexes into <see cref="JobGraph.Nodes"/>).</summary>
public sealed record GraphEdge(int From, int To);
