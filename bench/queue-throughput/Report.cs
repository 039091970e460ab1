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

        Console.WriteLine("targets: full cycle >= 3000 jobs/s on postgres, >= 10000 on sqlite; pickup p50 <= 10 ms");
    }

    private static double Percentile(List<double> sorted, double rank) =>
        sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
}
