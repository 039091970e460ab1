using Cairn.Core.Runs;

namespace Cairn.Server.Dashboard.Graph;

/// <summary>A run's jobs laid out: one node per pipeline job (a matrix's legs together), in columns by the longest
/// path from the jobs that need nothing, ordered within a column to cross few edges.</summary>
public sealed record JobGraph(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges)
{
    /// <summary>How many rows each column takes: its nodes and the waypoints of needs that pass through it.</summary>
    public IReadOnlyDictionary<int, int> Slots { get; init; } = new Dictionary<int, int>();

    /// <summary>How many columns the nodes take.</summary>
    public int Layers => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.Layer) + 1;

    /// <summary>How many rows the fullest column takes.</summary>
    public int Rows => Slots.Count == 0 ? 0 : Slots.Values.Max();
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
public sealed record GraphEdge(int From, int To)
{
    /// <summary>Where a need that spans columns passes through each column between, in order.</summary>
    public IReadOnlyList<GraphPoint> Via { get; init; } = [];
}

/// <summary>A place in the grid: a column and a row within it.</summary>
public readonly record struct GraphPoint(int Layer, int Row);
