using System.Globalization;

namespace Cairn.Bench.Scale;

/// <summary>p50, p95, p99 and max of a set of figures in ms (nearest rank).</summary>
internal sealed record Stats(int Count, double P50, double P95, double P99, double Max)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0
            ? new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new Stats(sorted.Count, At(0.50), At(0.95), At(0.99), sorted[^1]);

        double At(double rank) => sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"p50 {P50,8:0.0} ms  p95 {P95,8:0.0} ms  p99 {P99,8:0.0} ms  max {Max,8:0.0} ms");

    public static string Verdict(double figure, double target) => figure < target ? "met" : "NOT met";
}

/// <summary>A process's CPU time (user + system, its threads and reaped children) from /proc.</summary>
internal static class ProcessCpu
{
    public static double Seconds(IEnumerable<int> pids) => pids.Sum(Seconds);

    public static double Seconds(int pid) => Fields(pid, 11, 4);

    /// <summary>The reaped children's share alone (git, chown, the steps' shells and what they ran).</summary>
    public static double ChildrenSeconds(IEnumerable<int> pids) => pids.Sum(pid => Fields(pid, 13, 2));

    /// <summary>What the .NET runtime's background compiler thread (tiered compilation: methods called often enough are
    /// compiled again, optimized) has used of the processes' CPU.</summary>
    public static double CompilerSeconds(IEnumerable<int> pids) => pids.Sum(pid =>
        Directory.Exists($"/proc/{pid}/task")
            ? Directory.GetDirectories($"/proc/{pid}/task")
                .Where(task => File.Exists($"{task}/comm") && ReadOrEmpty($"{task}/comm").StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                .Sum(task => Fields($"{task}/stat", 11, 2))
            : 0);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static double Fields(int pid, int first, int count) => Fields($"/proc/{pid}/stat", first, count);

    private static double Fields(string path, int first, int count)
    {
        var stat = ReadOrEmpty(path);
        if (stat.Length == 0)
        {
            return 0;
        }

        // Fields after the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return Enumerable.Range(first, count).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Waits until the process (its reaped children included) has used under 5% of a core for two seconds in a
    /// row, at most <paramref name="limit"/>; returns how long it waited. A server on a seeded store first reads every
    /// repository's schedules (a fetch each), and pages timed meanwhile would time that too.</summary>
    public static async Task<TimeSpan> SettleAsync(int pid, TimeSpan limit, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var quiet = 0;
        while (quiet < 2 && waited.Elapsed < limit)
        {
            var before = Seconds(pid);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            quiet = Seconds(pid) - before < 0.05 ? quiet + 1 : 0;
        }

        return waited.Elapsed;
    }
}

/// <summary>The command line's values.</summary>
internal sealed class Arguments(string[] args)
{
    public string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    public string Required(string name) => Value(name) ?? throw new ArgumentException($"{name} is required");

    public int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string name) => args.Contains(name);

    public static Uri Base(string url) => new(url.EndsWith('/') ? url : url + "/");
}
