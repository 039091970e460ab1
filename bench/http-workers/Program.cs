using System.Diagnostics;
using System.Globalization;
using Cairn.Bench.HttpWorkers;

// Usage: http-workers --cli PATH [--store sqlite|postgres] [--connection C | --postgres SERVER (a fresh database on it)] [--workers 2] [--concurrency 4] [--samples 100]
//                     [--jobs 400] [--per-run 10] [--log-mb 50] [--modes direct,http] [--out DIR]
var options = Options.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

Directory.CreateDirectory(options.Out);
Directory.CreateDirectory(Path.Combine(options.Out, "tokens"));
await using var database = await BenchDatabase.CreateAsync(options, cancel.Token);
options = options with { Connection = database.Connection };
await using var server = await BenchServer.StartAsync(options, cancel.Token);
await using var workload = await Workload.OpenAsync(options, cancel.Token);
Console.WriteLine($"server {server.Url} (--concurrency 0) on {options.Store}; {options.Workers} workers x {options.Concurrency} slots per mode");

var tokens = new List<string>();
if (options.Modes.Contains("http"))
{
    for (var i = 1; i <= options.Workers; i++)
    {
        tokens.Add(await server.AddWorkerAsync($"bench-{i}", Path.Combine(options.Out, "tokens"), cancel.Token));
    }
}

var results = new Dictionary<string, ModeResult>();
foreach (var mode in options.Modes)
{
    Console.WriteLine($"{mode}: no-op jobs ...");
    var noOp = await MeasureNoOpAsync(mode);
    Console.WriteLine($"{mode}: log throughput ...");
    var log = await MeasureLogAsync(mode);
    results[mode] = noOp with { LogMegabytesPerSecond = log };
}

var raw = await RawLogAsync(cancel.Token);
Report.Print(options, results, raw);
return 0;

async Task<ModeResult> MeasureNoOpAsync(string mode)
{
    await using var fleet = StartFleet(mode, "fake", options.Concurrency);
    var noop = Workload.Pipeline(1, "\"true\"");
    // Warm-up: each worker's first job pays for its start (JIT, connections).
    await RunOneByOneAsync(noop, options.Workers * 4);
    var sampled = await RunOneByOneAsync(noop, options.Samples);
    var pickups = sampled.Select(t => (double)(t.RunningAt - t.QueuedAt)).ToList();
    var cycles = sampled.Select(t => (double)(t.EndedAt - t.QueuedAt)).ToList();

    var runs = options.Jobs / options.PerRun;
    var batch = Workload.Pipeline(options.PerRun, "\"true\"");
    var ids = new List<long>();
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < runs; i++)
    {
        ids.Add(await workload.QueueAsync(batch, cancel.Token));
    }

    await workload.WaitForRunsAsync(ids, cancel.Token);
    var wall = clock.Elapsed;
    var all = await workload.JobTimesAsync(ids[0], ids[^1], cancel.Token);
    var span = Math.Max(1, all.Max(t => t.EndedAt) - all.Min(t => t.QueuedAt));
    var held = all.Select(t => (double)(t.EndedAt - t.RunningAt)).ToList();
    return new ModeResult(
        Percentile(pickups, 50), Percentile(pickups, 95), Percentile(cycles, 50), Percentile(cycles, 95),
        all.Count / (span / 1000.0), all.Count / wall.TotalSeconds, Percentile(held, 50), Percentile(held, 95), 0);
}

async Task<IReadOnlyList<JobTimes>> RunOneByOneAsync(string yaml, int count)
{
    var ids = new List<long>();
    for (var i = 0; i < count; i++)
    {
        var id = await workload.QueueAsync(yaml, cancel.Token);
        await workload.WaitForRunsAsync([id], cancel.Token);
        ids.Add(id);
    }

    return await workload.JobTimesAsync(ids[0], ids[^1], cancel.Token);
}

async Task<double> MeasureLogAsync(string mode)
{
    await using var fleet = StartFleet(mode, "shell", 1, workers: 1);
    var id = await workload.QueueAsync(Workload.Pipeline(1, Flood(options.LogMegabytes)), cancel.Token);
    await workload.WaitForRunsAsync([id], cancel.Token);
    var job = (await workload.JobTimesAsync(id, id, cancel.Token)).Single();
    var (lines, bytes) = await workload.LogSizeAsync(job.JobId, cancel.Token);
    var expected = options.LogMegabytes * 1_000_000L / 100;
    if (lines < expected)
    {
        throw new InvalidOperationException($"{mode}: the stored log holds {lines} lines, not the {expected} the step printed");
    }

    return bytes / 1e6 / Math.Max(0.001, (job.EndedAt - job.RunningAt) / 1000.0);
}

Fleet StartFleet(string mode, string executor, int concurrency, int? workers = null)
{
    var fleet = new Fleet();
    for (var i = 1; i <= (workers ?? options.Workers); i++)
    {
        var name = $"{mode}-{executor}-{i}";
        List<string> args = mode == "http"
            ? ["worker", "--server", server.Url.ToString().TrimEnd('/'), "--token-file", tokens[i - 1]]
            : ["worker", "--store", options.Store, "--connection", options.Connection];
        args.AddRange(["--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--executor", executor,
            "--workspace-root", Path.Combine(options.Out, "workspaces")]);
        if (Environment.UserName == "root")
        {
            // The flood's output is what is measured, not the switch to another user.
            args.AddRange(["--job-user", "root"]);
        }

        fleet.Add(CairnChild.Start(options.Cli, Path.Combine(options.Out, $"worker-{name}.log"), args));
    }

    return fleet;
}

static string Flood(int megabytes) => $"head -c {megabytes * 1_000_000L} /dev/zero | tr '\\0' x | fold -w 99";

async Task<double> RawLogAsync(CancellationToken cancellationToken)
{
    var info = new ProcessStartInfo("bash") { UseShellExecute = false };
    info.ArgumentList.Add("-c");
    info.ArgumentList.Add($"{Flood(options.LogMegabytes)} > {Path.Combine(options.Out, "flood.txt")}");
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(info)!;
    await process.WaitForExitAsync(cancellationToken);
    var megabytes = new FileInfo(Path.Combine(options.Out, "flood.txt")).Length / 1e6;
    File.Delete(Path.Combine(options.Out, "flood.txt"));
    return megabytes / clock.Elapsed.TotalSeconds;
}

static double Percentile(List<double> values, int percent)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>What to run, from the command line.</summary>
internal sealed record Options(
    string Cli, string Store, string Connection, string? Postgres, int Workers, int Concurrency, int Samples, int Jobs, int PerRun, int LogMegabytes,
    string[] Modes, string Out)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var output = Path.GetFullPath(Value("--out") ?? Path.Combine("bench", "out", "http-workers"));
        var store = Value("--store") ?? "sqlite";
        return new Options(
            Value("--cli") ?? throw new ArgumentException("--cli PATH: the built cairn"),
            store,
            Value("--connection") ?? Path.Combine(output, "data", "cairn.db"),
            Value("--postgres"),
            Number("--workers", 2),
            Number("--concurrency", 4),
            Number("--samples", 100),
            Number("--jobs", 400),
            Number("--per-run", 10),
            Number("--log-mb", 50),
            (Value("--modes") ?? "direct,http").Split(',', StringSplitOptions.RemoveEmptyEntries),
            output);
    }
}

/// <summary>The workers of one mode, stopped (SIGTERM) together.</summary>
internal sealed class Fleet : IAsyncDisposable
{
    private readonly List<CairnChild> _workers = [];

    public void Add(CairnChild worker) => _workers.Add(worker);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_workers.Select(w => w.DisposeAsync().AsTask()));
    }
}

/// <summary>The store both kinds of worker share: the SQLite file given, or a fresh PostgreSQL database on the
/// <c>--postgres</c> server, dropped afterwards.</summary>
internal sealed class BenchDatabase(string connection, string? server, string? name) : IAsyncDisposable
{
    public string Connection => connection;

    public static async Task<BenchDatabase> CreateAsync(Options options, CancellationToken cancellationToken)
    {
        if (options.Store != "postgres" || options.Postgres is null)
        {
            return new BenchDatabase(options.Connection, null, null);
        }

        var name = $"cairn_bench_http_{Environment.ProcessId}";
        await AdministerAsync(options.Postgres, $"DROP DATABASE IF EXISTS {name}", cancellationToken);
        await AdministerAsync(options.Postgres, $"CREATE DATABASE {name}", cancellationToken);
        return new BenchDatabase(new Npgsql.NpgsqlConnectionStringBuilder(options.Postgres) { Database = name }.ConnectionString, options.Postgres, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await AdministerAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task AdministerAsync(string server, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
