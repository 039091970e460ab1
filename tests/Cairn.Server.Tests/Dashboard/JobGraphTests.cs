using System.Xml.Linq;
using Cairn.Core.Runs;
using Cairn.Server.Dashboard.Graph;

namespace Cairn.Server.Tests.Dashboard;

/// <summary>The job graph: columns by longest path, few crossings, matrices grouped, links, escaping and speed.</summary>
public sealed class JobGraphTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Diamond_PutsEachJobInTheColumnOfItsLongestChain()
    {
        var graph = JobGraphLayout.Lay([
            Job(1, "build"), Job(2, "lint", needs: ["build"]), Job(3, "test", needs: ["build"]), Job(4, "deploy", needs: ["lint", "test"]),
            Job(5, "notify", needs: ["build", "deploy"]),
        ]);

        Assert.Equal([0, 1, 1, 2, 3], graph.Nodes.Select(n => n.Layer));
        Assert.Equal([0, 1], graph.Nodes.Where(n => n.Layer == 1).Select(n => n.Row).Order());
        Assert.Equal(6, graph.Edges.Count);
        var longEdge = Assert.Single(graph.Edges, e => (e.From, e.To) == (0, 4));
        Assert.Equal([1, 2], longEdge.Via.Select(p => p.Layer));
    }

    [Fact]
    public void FanInOfTen_DrawsTenEdgesIntoOneNode_AndOneNodePerJob()
    {
        var sources = Enumerable.Range(1, 10).Select(i => Job(i, $"part-{i}")).ToList();
        var jobs = sources.Append(Job(11, "assemble", needs: [.. sources.Select(s => s.Name)])).ToList();

        var graph = JobGraphLayout.Lay(jobs);
        var svg = Parse(JobGraphSvg.Render(9, graph));

        Assert.Equal(10, graph.Edges.Count(e => e.To == 10));
        Assert.Equal((2, 10), (graph.Layers, graph.Rows));
        Assert.Equal(10, svg.Descendants(Svg + "path").Count(p => (string?)p.Attribute("class") == "jg-edge"));
        Assert.Equal(11, svg.Descendants(Svg + "a").Count());
    }

    [Fact]
    public void Ordering_UncrossesTwoChainsThatThePipelineWroteCrossed()
    {
        var graph = JobGraphLayout.Lay([
            Job(1, "a"), Job(2, "b"), Job(3, "after-b", needs: ["b"]), Job(4, "after-a", needs: ["a"]),
        ]);

        var row = graph.Nodes.ToDictionary(n => n.Key, n => n.Row);
        Assert.Equal(row["a"], row["after-a"]);
        Assert.Equal(row["b"], row["after-b"]);
    }

    [Fact]
    public void MatrixOfFour_WithThreePassed_IsOneNodeThatSaysSo_AndLinksToTheFailedLeg()
    {
        var graph = JobGraphLayout.Lay([
            Job(1, "test (linux, 8)", key: "test", status: JobStatus.Succeeded),
            Job(2, "test (linux, 9)", key: "test", status: JobStatus.Failed),
            Job(3, "test (mac, 8)", key: "test", status: JobStatus.Succeeded),
            Job(4, "test (mac, 9)", key: "test", status: JobStatus.Succeeded),
            Job(5, "report", needs: ["test (linux, 8)", "test (linux, 9)", "test (mac, 8)", "test (mac, 9)"], status: JobStatus.Skipped),
        ]);
        var svg = JobGraphSvg.Render(9, graph);
        var matrix = Parse(svg).Descendants(Svg + "a").First();

        Assert.Equal(2, graph.Nodes.Count);
        Assert.Equal((0, 1), Assert.Single(graph.Edges) is var edge ? (edge.From, edge.To) : default);
        Assert.True(graph.Nodes[0].IsMatrix);
        Assert.Equal(JobStatus.Failed, graph.Nodes[0].Status);
        Assert.Equal("/runs/9/jobs/2", (string?)matrix.Attribute("href"));
        Assert.Contains(matrix.Descendants(Svg + "text"), t => t.Value == "3/4 passed · failed");
        Assert.Contains("test (linux, 9) failed", matrix.Element(Svg + "title")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNode_LinksToItsJob_AndSaysItsStatusInAWordAndASign()
    {
        var statuses = Enum.GetValues<JobStatus>();
        var graph = JobGraphLayout.Lay([.. statuses.Select((s, i) => Job(100 + i, $"job-{i}", status: s))]);

        var links = Parse(JobGraphSvg.Render(3, graph)).Descendants(Svg + "a").ToList();

        Assert.Equal(statuses.Select((_, i) => $"/runs/3/jobs/{100 + i}"), links.Select(a => (string?)a.Attribute("href")));
        Assert.Equal(statuses.Select(s => s.ToWire()), links.Select(a => a.Descendants(Svg + "text").Last().Value));
        Assert.Equal(statuses.Length, links.Select(a => a.Descendants(Svg + "text").First().Value).Distinct().Count());
    }

    [Fact]
    public void AHostileName_IsEscaped_AndTheSvgStaysOneWellFormedElement()
    {
        const string Hostile = "<script>alert('x')</script>&\"\u0001";
        var graph = JobGraphLayout.Lay([Job(1, Hostile), Job(2, "m (<b>)", key: "<img src=x>")]);

        var svg = JobGraphSvg.Render(1, graph);
        var parsed = Parse(svg);

        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain(parsed.Descendants(), e => e.Name.LocalName is "script" or "img" or "b");
        Assert.Contains(parsed.Descendants(Svg + "title"), t => t.Value.StartsWith("<script>alert('x')</script>&\"", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoHundredJobs_RenderEveryNode_AtASizeThatGrowsWithTheGraph()
    {
        var jobs = new List<GraphJob>();
        for (var i = 0; i < 200; i++)
        {
            // Ten columns of twenty; each job needs two of the column before it.
            var column = i / 20;
            string[] needs = column == 0 ? [] : [$"job-{((column - 1) * 20) + ((i * 7) % 20)}", $"job-{((column - 1) * 20) + ((i * 3) % 20)}"];
            jobs.Add(Job(i, $"job-{i}", needs: needs));
        }

        var svg = Parse(JobGraphSvg.Render(1, JobGraphLayout.Lay(jobs)));

        Assert.Equal(200, svg.Descendants(Svg + "a").Count());
        Assert.InRange((int)svg.Attribute("width")!, 2000, 3000);
        Assert.InRange((int)svg.Attribute("height")!, 1000, 1500);
        var single = Parse(JobGraphSvg.Render(1, JobGraphLayout.Lay([Job(1, "only")])));
        Assert.InRange((int)single.Attribute("width")!, 200, 260);
        Assert.InRange((int)single.Attribute("height")!, 46, 80);
    }

    [Fact]
    public void ANeedOutsideTheRun_IsLeftOut_AndNoJobsIsSaid()
    {
        var graph = JobGraphLayout.Lay([Job(1, "package", needs: ["build-from-an-earlier-run"])]);

        Assert.Empty(graph.Edges);
        Assert.Equal(0, graph.Nodes[0].Layer);
        Assert.Contains("no jobs", JobGraphSvg.Render(1, JobGraphLayout.Lay([])), StringComparison.Ordinal);
    }

    private static XElement Parse(string svg) => XElement.Parse(svg);

    private static GraphJob Job(long id, string name, string[]? needs = null, string? key = null, JobStatus status = JobStatus.Succeeded) =>
        new(id, name, key ?? name, needs ?? [], status);
}
