using System.Globalization;

namespace Cairn.Bench.HttpWorkers;

/// <summary>One mode's figures: latencies in ms (the store's own timestamps, ms resolution), rates per second.</summary>
internal sealed record ModeResult(
    double PickupP50, double PickupP95, double CycleP50, double CycleP95, double JobsPerSecond, double JobsPerSecondWall, double HeldP50, double HeldP95,
    double LogMegabytesPerSecond);

internal static class Report
{
    public static void Print(Options options, IReadOnlyDictionary<string, ModeResult> results, double rawLog)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Samples} one-job runs one after another; {options.Jobs} jobs in runs of {options.PerRun}; {options.Workers} workers x {options.Concurrency}; store {options.Store}"));
        Console.WriteLine($"{"mode",-8} {"pickup p50",11} {"p95",7} {"1-job cycle p50",16} {"p95",7} {"jobs/s",9} {"(wall)",8} {"leased p50",11} {"p95",7} {"log MB/s",9}");
        foreach (var (mode, r) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-8} {r.PickupP50,9:0.0}ms {r.PickupP95,5:0.0}ms {r.CycleP50,14:0.0}ms {r.CycleP95,5:0.0}ms {r.JobsPerSecond,9:0.0} {r.JobsPerSecondWall,8:0.0} {r.HeldP50,9:0.0}ms {r.HeldP95,5:0.0}ms {r.LogMegabytesPerSecond,9:0.0}"));
        }

        if (results.TryGetValue("direct", out var direct) && results.TryGetValue("http", out var http))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"http/direct: 1-job cycle {Ratio(http.CycleP50, direct.CycleP50)}, jobs/s {Ratio(http.JobsPerSecond, direct.JobsPerSecond)}, log {Ratio(http.LogMegabytesPerSecond, direct.LogMegabytesPerSecond)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"targets: HTTP adds <= 20% to a no-op job's cycle: {(http.CycleP50 <= direct.CycleP50 * 1.2 ? "met" : "missed")}; pickup p50 < 10 ms: {(http.PickupP50 < 10 ? "met" : "missed")}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw: the flood into a file: {rawLog:0.0} MB/s ({options.LogMegabytes} MB)"));
    }

    private static string Ratio(double a, double b) => b > 0 ? string.Create(CultureInfo.InvariantCulture, $"{a / b:0.00}x") : "n/a";
}
