using System.Globalization;

namespace Cairn.Bench.QueueThroughput;

/// <summary>Collects the figures and prints them side by side with the baseline and the project's targets.</summary>
internal sealed class Report
{
    private readonly List<(string Store, string Scenario, double JobsPerSecond, double? Baseline)> _rates = [];
    private readonly List<(string Store, double P50, double P99, double Max)> _latencies = [];

    public void Add(string store, string scenario, double jobsPerSecond, double? baseline) =>
        _rates.Add((store, scenario, jobsPerSecond, baseline));

    public void AddLatency(string store, List<double> milliseconds)
    {
        milliseconds.Sort();
        _latencies.Add((store, Percentile(milliseconds, 0.50), Percentile(milliseconds, 0.99), milliseconds[^1]));
    }

    public void Print(Options options)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{options.Jobs} no-op jobs, {options.Workers} workers, {options.Producers} producers; pickup over {options.Samples} jobs queued one at a time to idle workers");
        Console.WriteLine($"{"store",-9} {"scenario",-42} {"jobs/s",9} {"bare db",9} {"ratio",6}");
        foreach (var (store, scenario, rate, baseline) in _rates)
        {
            var bare = baseline is { } b ? b.ToString("F0", c) : "-";
            var ratio = baseline is { } d ? (rate / d).ToString("F2", c) : "-";
            Console.WriteLine($"{store,-9} {scenario,-42} {rate.ToString("F0", c),9} {bare,9} {ratio,6}");
        }

        foreach (var (store, p50, p99, max) in _latencies)
        {
            Console.WriteLine(string.Create(c, $"{store,-9} pickup latency: p50 {p50:F2} ms, p99 {p99:F2} ms, max {max:F2} ms"));
        }

        foreach (var (store, target) in Targets)
        {
            var full = _rates.Where(r => r.Store == store && r.Scenario.StartsWith(FullCycle, StringComparison.Ordinal)).Select(r => r.JobsPerSecond).ToList();
            var pickup = _latencies.Where(l => l.Store == store).Select(l => l.P50).ToList();
            if (full is [var rate] && pickup is [var p50])
            {
                Console.WriteLine(string.Create(
                    c,
                    $"target {store,-9} full cycle >= {target} jobs/s: {rate:F0}, {Met(rate >= target)}; pickup p50 <= {PickupTarget} ms: {p50:F2}, {Met(p50 <= PickupTarget)}"));
            }
        }
    }

    /// <summary>The scenario name the full cycle's figure is reported under.</summary>
    public const string FullCycle = "full cycle";

    private const double PickupTarget = 2;

    private static readonly (string Store, int JobsPerSecond)[] Targets = [("sqlite", 10_000), ("postgres", 5_000)];

    private static string Met(bool met) => met ? "met" : "NOT met";

    private static double Percentile(List<double> sorted, double rank) =>
        sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
}
