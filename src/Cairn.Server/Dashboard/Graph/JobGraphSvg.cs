using System.Globalization;
using System.Text;
using Cairn.Core.Runs;

namespace Cairn.Server.Dashboard.Graph;

/// <summary>Draws a <see cref="JobGraph"/> as one self-contained SVG element: columns left to right, needs as smooth
/// curves, each node a link to its job that says its status in a word and a sign as well as a colour. Every name is
/// escaped: job names come from the pipeline's YAML.</summary>
public static class JobGraphSvg
{
    private const int NodeWidth = 196;
    private const int NodeHeight = 46;
    private const int ColumnGap = 48;
    private const int RowGap = 14;
    private const int Margin = 12;
    private const int NameLength = 20;

    private const string Style = """
        .jg-node rect{stroke-width:1.5}
        .jg-node text{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1f2328}
        .jg-node .jg-sub{font-size:11px;fill:#59636e}
        .jg-node .jg-sign{font-size:14px;font-weight:bold}
        .jg-node:hover rect,.jg-node:focus rect{stroke-width:3}
        .jg-node:focus{outline:none}
        .jg-edge{fill:none;stroke:#8c959f;stroke-width:1.5}
        """;

    /// <summary>The SVG of a run's jobs as the store keeps them: laid out, then drawn.</summary>
    public static string Of(long runId, IEnumerable<JobRecord> jobs) =>
        Render(runId, JobGraphLayout.Lay([.. jobs.Select(GraphJob.From)]));

    /// <summary>The SVG of a run's graph; an empty run gives a small SVG that says there are no jobs.</summary>
    public static string Render(long runId, JobGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var rows = Math.Max(graph.Rows, 1);
        var width = (2 * Margin) + (Math.Max(graph.Layers, 1) * (NodeWidth + ColumnGap)) - ColumnGap;
        var height = (2 * Margin) + (rows * (NodeHeight + RowGap)) - RowGap;

        var svg = new StringBuilder(256 + (graph.Nodes.Count * 700));
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"job-graph\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"jobs of run {runId} and what each needs\">"));
        svg.Append("<style>").Append(Style.ReplaceLineEndings("")).Append("</style>");
        if (graph.Nodes.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{Margin}\" y=\"{Margin + 16}\">no jobs</text></svg>"));
            return svg.ToString();
        }

        var places = graph.Nodes.Select(n => Place(new GraphPoint(n.Layer, n.Row), graph.Slots, rows)).ToList();
        svg.Append("<g class=\"jg-edges\">");
        foreach (var edge in graph.Edges)
        {
            Edge(svg, places[edge.From], [.. edge.Via.Select(v => Place(v, graph.Slots, rows))], places[edge.To]);
        }

        svg.Append("</g><g class=\"jg-nodes\">");
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            Node(svg, runId, graph.Nodes[i], places[i]);
        }

        return svg.Append("</g></svg>").ToString();
    }

    // Each column is centred on the fullest one, so a lone job sits level with the middle of what it fans out to.
    private static (int X, double Y) Place(GraphPoint point, IReadOnlyDictionary<int, int> slots, int rows) => (
        Margin + (point.Layer * (NodeWidth + ColumnGap)),
        Margin + ((rows - slots[point.Layer]) * (NodeHeight + RowGap) / 2.0) + (point.Row * (NodeHeight + RowGap)));

    // From the right of one box to the left of the next, one S-curve a gap; through a column it passes straight along
    // its waypoint's row.
    private static void Edge(StringBuilder svg, (int X, double Y) from, IReadOnlyList<(int X, double Y)> via, (int X, double Y) to)
    {
        double x = from.X + NodeWidth, y = from.Y + (NodeHeight / 2.0);
        var path = new StringBuilder(Invariant($"M{x:0.#} {y:0.#}"));
        foreach (var point in via.Append(to))
        {
            double x2 = point.X, y2 = point.Y + (NodeHeight / 2.0), bend = (x2 - x) / 2;
            path.Append(Invariant($" C{x + bend:0.#} {y:0.#} {x2 - bend:0.#} {y2:0.#} {x2:0.#} {y2:0.#}"));
            if (point != to)
            {
                path.Append(Invariant($" H{x2 + NodeWidth:0.#}"));
            }

            (x, y) = (x2 + NodeWidth, y2);
        }

        svg.Append("<path class=\"jg-edge\" d=\"").Append(path).Append("\"/>");
    }

    private static void Node(StringBuilder svg, long runId, GraphNode node, (int X, double Y) at)
    {
        var (word, sign, fill, stroke) = Look(node.Status);
        var name = node.IsMatrix ? node.Key : node.Legs[0].Name;
        var detail = node.IsMatrix ? Invariant($"{node.Passed}/{node.Legs.Count} passed · {word}") : word;
        var title = node.IsMatrix
            ? name + ": " + string.Join(", ", node.Legs.Select(l => $"{l.Name} {Look(l.Status).Word}"))
            : $"{name}: {word}";

        svg.Append(Invariant($"<a class=\"jg-node jg-{word}\" href=\"/runs/{runId}/jobs/{node.Target.Id}\" transform=\"translate({at.X} {at.Y:0.#})\">"));
        svg.Append("<title>").Append(Xml(title)).Append("</title>");
        svg.Append(Invariant($"<rect width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\"/>"));
        if (node.IsMatrix)
        {
            // A second edge behind the first says "several jobs" without colour or words.
            svg.Append(Invariant($"<path d=\"M4 {NodeHeight + 3} H{NodeWidth - 2} a4 4 0 0 0 4 -4 V6\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>"));
        }

        svg.Append(Invariant($"<text class=\"jg-sign\" x=\"10\" y=\"20\" fill=\"{stroke}\" style=\"fill:{stroke}\">{sign}</text>"));
        svg.Append("<text x=\"30\" y=\"20\">").Append(Xml(Shorten(name))).Append("</text>");
        svg.Append("<text class=\"jg-sub\" x=\"30\" y=\"37\">").Append(Xml(detail)).Append("</text></a>");
    }

    /// <summary>A status's word, sign, fill and edge colour: readable from the word or the sign alone.</summary>
    public static (string Word, string Sign, string Fill, string Stroke) Look(JobStatus status) => status switch
    {
        JobStatus.Succeeded => ("succeeded", "✓", "#dafbe1", "#1a7f37"),
        JobStatus.Failed => ("failed", "✗", "#ffebe9", "#cf222e"),
        JobStatus.Running => ("running", "●", "#ddf4ff", "#0969da"),
        JobStatus.Queued => ("queued", "○", "#fff8c5", "#9a6700"),
        JobStatus.Waiting => ("waiting", "…", "#f6f8fa", "#6e7781"),
        JobStatus.Cancelled => ("cancelled", "⊘", "#fff1e5", "#bc4c00"),
        JobStatus.Skipped => ("skipped", "↷", "#f6f8fa", "#8c959f"),
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static string Shorten(string name) => name.Length <= NameLength ? name : string.Concat(name.AsSpan(0, NameLength - 1), "…");

    /// <summary>Text made safe inside an element or an attribute; control characters and halves of a character, which
    /// XML cannot carry, become spaces.</summary>
    public static string Xml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) : i > 0 && char.IsHighSurrogate(text[i - 1]);
            _ = c switch
            {
                '&' => safe.Append("&amp;"),
                '<' => safe.Append("&lt;"),
                '>' => safe.Append("&gt;"),
                '"' => safe.Append("&quot;"),
                '\'' => safe.Append("&#39;"),
                _ when char.IsControl(c) || (char.IsSurrogate(c) && !paired) => safe.Append(' '),
                _ => safe.Append(c),
            };
        }

        return safe.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
