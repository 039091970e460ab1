using System.Globalization;

namespace Cairn.Bench.WebhookLatency;

/// <summary>One measured push: the driver's figures and the server's own timestamps of the run it started.</summary>
internal sealed record Sample(Delivery Delivery, long MarkMicros, RunTimes Run)
{
    public double LatencyMs => (MarkMicros - Delivery.SentAtMicros) / 1000.0;
}

/// <summary>Prints the percentiles side by side with the bare <c>git fetch</c>, where the time goes, and the target.</summary>
internal static class Report
{
    private const double TargetP50 = 150;
    private const double TargetP99 = 500;

    public static void Print(Options options, IReadOnlyList<Sample> samples, IReadOnlyList<double> fetches, int statuses)
    {
        var c = CultureInfo.InvariantCulture;
        var answer = Stats.Of(samples.Select(s => s.Delivery.AnswerMs));
        var latency = Stats.Of(samples.Select(s => s.LatencyMs));
        var fetch = Stats.Of(fetches);

        Console.WriteLine();
        Console.WriteLine($"{samples.Count} signed GitHub pushes one after another (after {options.Warmup} untimed), each waiting for its run to end;");
        Console.WriteLine($"cairn server on SQLite, concurrency 2; the repository served by file:// URL");
        Console.WriteLine();
        Console.WriteLine($"{"",-34} {"p50",9} {"p99",9} {"max",9}");
        Line("webhook answer", answer);
        Line("webhook -> first step started", latency);
        Line("git fetch <sha> into a bare mirror", fetch);
        Console.WriteLine(string.Create(c, $"{"ratio (first step / git fetch)",-34} {latency.P50 / fetch.P50,8:F1}x {latency.P99 / fetch.P99,8:F1}x"));

        Console.WriteLine();
        Console.WriteLine("where the time goes, from the server's own timestamps (ms resolution):");
        Stage("sent -> journaled", samples.Select(s => Ms(s.Run.ReceivedAt) - (s.Delivery.SentAtMicros / 1000.0)));
        Stage("journaled -> run created (planning)", samples.Select(s => Ms(s.Run.CreatedAt) - Ms(s.Run.ReceivedAt)));
        Stage("run created -> job leased", samples.Select(s => Ms(s.Run.JobStartedAt) - Ms(s.Run.CreatedAt)));
        Stage("job leased -> step started", samples.Select(s => Ms(s.Run.StepStartedAt) - Ms(s.Run.JobStartedAt)));
        Stage("step started -> its first command", samples.Select(s => (s.MarkMicros / 1000.0) - Ms(s.Run.StepStartedAt)));

        Console.WriteLine();
        var met = latency.P50 <= TargetP50 && latency.P99 <= TargetP99;
        Console.WriteLine(string.Create(c, $"target: webhook -> first step p50 <= {TargetP50} ms, p99 <= {TargetP99} ms: {(met ? "met" : "missed")}"));
        Console.WriteLine($"commit statuses the server delivered to the loopback forge: {statuses}");

        void Line(string name, Stats s) =>
            Console.WriteLine(string.Create(c, $"{name,-34} {s.P50,6:F1} ms {s.P99,6:F1} ms {s.Max,6:F1} ms"));

        void Stage(string name, IEnumerable<double> values)
        {
            var s = Stats.Of(values);
            Console.WriteLine(string.Create(c, $"  {name,-36} p50 {s.P50,6:F1} ms   p99 {s.P99,6:F1} ms"));
        }
    }

    private static double Ms(DateTimeOffset? at) => at is { } t ? WallClock.ToMicros(t) / 1000.0 : double.NaN;
}

/// <summary>p50, p99 and max of a set of figures (nearest rank).</summary>
internal sealed record Stats(double P50, double P99, double Max)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? new Stats(double.NaN, double.NaN, double.NaN) : new Stats(At(0.50), At(0.99), sorted[^1]);

        double At(double rank) => sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
