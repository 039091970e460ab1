using System.Globalization;

namespace Cairn.Bench.SseFollowers;

/// <summary>Prints, per scenario, the lag of every line at every follower (arrival minus printing), how far the slowest
/// follower fell behind, and whether every follower got every line once, in order.</summary>
internal static class Report
{
    public static void Print(Options options, IReadOnlyList<Scenario> scenarios)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"one job printing {options.Lines} lines, one every {options.IntervalMs} ms, followed live over SSE (lag = arrival - printing)"));
        if (options.FollowServer is { } other)
        {
            Console.WriteLine($"the followers read from another replica ({other}) than the one that runs the job");
        }
        Console.WriteLine();
        Console.WriteLine($"{"",-24} {"lag p50",9} {"p99",9} {"max",9} {"worst follower p99",19} {"last line p50",14} {"complete",9} {"server CPU",11}");
        foreach (var scenario in scenarios)
        {
            var lags = scenario.Followers.SelectMany(f => f.Lines.Select(l => (l.ArrivedMicros - l.PrintedMicros) / 1000.0)).ToList();
            var all = Stats.Of(lags);
            var worst = scenario.Followers.Max(f => Stats.Of(f.Lines.Select(l => (l.ArrivedMicros - l.PrintedMicros) / 1000.0)).P99);
            var last = Stats.Of(scenario.Followers.Select(f => f.Lines.Count == 0 ? double.NaN : (f.Lines[^1].ArrivedMicros - f.Lines[^1].PrintedMicros) / 1000.0));
            var complete = scenario.Followers.Count(f => Complete(f, options.Lines));
            var cpu = scenario.ServerCpuSeconds is { } seconds
                ? string.Create(c, $"{seconds / scenario.Wall.TotalSeconds * 100,5:F0}% core")
                : "n/a";
            var name = scenario.Count == 1 ? "1 follower (baseline)" : $"{scenario.Count} followers";
            Console.WriteLine(string.Create(c,
                $"{name,-24} {all.P50,6:F1} ms {all.P99,6:F1} ms {all.Max,6:F1} ms {worst,16:F1} ms {last.P50,11:F1} ms {complete,4}/{scenario.Count,-4} {cpu,11}"));
        }

        Console.WriteLine();
        Console.WriteLine("complete: the follower got every line exactly once, in order, then the end event (succeeded)");
    }

    /// <summary>Every event's sequence number from 1 with no gap or repeat, every job line, and the end.</summary>
    private static bool Complete(Follower follower, int lines) =>
        follower.EndStatus == "succeeded"
        && follower.Sequences.Select((s, i) => s == i + 1).All(ok => ok)
        && follower.Lines.Select(l => l.Line).SequenceEqual(Enumerable.Range(1, lines));
}

/// <summary>p50, p99 and max of a set of figures (nearest rank).</summary>
internal sealed record Stats(double P50, double P99, double Max)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? new Stats(double.NaN, double.NaN, double.NaN) : new Stats(At(0.50), At(0.99), sorted[^1]);

        double At(double rank) => sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
