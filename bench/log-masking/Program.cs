using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cairn.Bench.LogMasking;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;

// Pushes a large log through Cairn's secret masker alone, then through the masker and JobReporter into a real SQLite
// store and a real PostgreSQL store, beside writing the same bytes raw to a file, and prints MB/s and memory for each.
// PostgreSQL is the server of CAIRN_BENCH_POSTGRES (or CAIRN_TEST_POSTGRES); without one its phases are left out.
// Usage: log-masking [--mb 200] [--secrets 20] [--out DIR] [--seed 1] [--stores sqlite,postgres]
var options = Options.Parse(args);
Directory.CreateDirectory(options.Out);
var corpus = new Corpus(options.Seed, options.Secrets, poolBytes: 16 << 20, secretEvery: 500);
var total = options.Megabytes * 1_000_000L;
Console.Error.WriteLine($"pool: {corpus.Lines.Length:N0} lines, {corpus.PoolBytes / 1e6:F1} MB; pushing {total / 1e6:F0} MB with {corpus.Secrets.Count} secrets");

var masker = new SecretMasker(corpus.Secrets);
var postgres = Environment.GetEnvironmentVariable("CAIRN_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("CAIRN_TEST_POSTGRES");
var stores = options.Stores.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var results = new List<Measurement>
{
    await Measurement.TakeAsync("raw write to a file (baseline)", total, () => RawFileAsync(corpus, total, Path.Combine(options.Out, "raw.log"))),
    await Measurement.TakeAsync("SecretMasker.Mask alone", total, () => Task.FromResult(MaskOnly(corpus, masker, total))),
    await Measurement.TakeAsync("masker + JobReporter, no store", total, () => ReporterAsync(corpus, masker, total, null, null)),
};

if (stores.Contains(RunStores.Sqlite))
{
    results.Add(await Measurement.TakeAsync("bare SQLite, 1 row per INSERT", total, () => Task.FromResult(BareSqlite.Insert(corpus, total, Path.Combine(options.Out, "bare-1.db"), 1))));
    results.Add(await Measurement.TakeAsync("bare SQLite, 50 rows per INSERT", total, () => Task.FromResult(BareSqlite.Insert(corpus, total, Path.Combine(options.Out, "bare-50.db"), 50))));
    await StorePhasesAsync("SQLite", SqliteAt(Path.Combine(options.Out, "store.db")), SqliteAt(Path.Combine(options.Out, "logs.db")));
}

if (stores.Contains(RunStores.Postgres) && postgres is not null)
{
    results.Add(await Measurement.TakeAsync("bare PostgreSQL, COPY 500 rows", total, () => Task.FromResult(BarePostgres.Copy(corpus, total, postgres)), () => () => BarePostgres.LastServerSeconds));
    await StorePhasesAsync("PostgreSQL", PostgresAt(postgres), PostgresAt(postgres), () =>
    {
        var before = ServerCpu.Take(postgres, BarePostgres.Database);
        return () => ServerCpu.Between(before, ServerCpu.Take(postgres, BarePostgres.Database));
    });
    BarePostgres.Drop(postgres);
}
else if (stores.Contains(RunStores.Postgres))
{
    Console.Error.WriteLine("no PostgreSQL server (CAIRN_BENCH_POSTGRES or CAIRN_TEST_POSTGRES): its phases are left out");
}

// The store is opened (a fresh database, its schema) before each phase's clock starts and closed after it stops. After
// the whole path, the time its log index takes to catch up with the burst: until then a search indexes what waits first.
async Task StorePhasesAsync(string name, Func<StoreSettings> forAppends, Func<StoreSettings> forReporter, Func<Func<double>>? server = null)
{
    var (store, job) = await OpenStoreAsync(forAppends);
    await using (store)
    {
        results.Add(await Measurement.TakeAsync($"{name} AppendLogAsync alone", total, () => StoreOnlyAsync(corpus, total, store, job), server));
    }

    (store, job) = await OpenStoreAsync(forReporter);
    await using (store)
    {
        results.Add(await Measurement.TakeAsync($"masker + JobReporter -> {name}", total, () => ReporterAsync(corpus, masker, total, store, job), server));
        results.Add(await Measurement.TakeAsync($"{name} index catch-up after it", total, () => ((CairnStore)store).CatchUpLogIndexAsync(CancellationToken.None), server));
    }
}

var raw = results[0].Bytes / 1e6 / results[0].Seconds;
Console.WriteLine();
Console.WriteLine($"{"",-34} {"MB",6} {"wall s",7} {"MB/s",7} {"x raw",6} {"CPU s",6} {"MB/CPU-s",8} {"server CPU s",12} {"MB/CPU-s, both",14} {"allocated",10} {"heap peak",9} {"RSS peak",8}");
foreach (var m in results)
{
    var rate = m.Bytes / 1e6 / m.Seconds;
    Console.WriteLine($"{m.Name,-34} {m.Bytes / 1e6,6:F0} {m.Seconds,7:F2} {rate,7:F1} {rate / raw,6:F2} {m.CpuSeconds,6:F2} {m.Bytes / 1e6 / m.CpuSeconds,8:F1} {(m.ServerCpuSeconds is { } server ? server.ToString("F2", CultureInfo.InvariantCulture) : "-"),12} {(m.ServerCpuSeconds is { } both ? (m.Bytes / 1e6 / (m.CpuSeconds + both)).ToString("F1", CultureInfo.InvariantCulture) : "-"),14} {m.Allocated / 1e6,7:F0} MB {m.HeapPeak / 1e6,6:F0} MB {m.RssPeak / 1e6,5:F0} MB");
}

Console.WriteLine();
Console.WriteLine("targets (MB/s of wall time; the raw write is the baseline of the same run):");
Target("masker alone", results[1], 100);
foreach (var m in results.Where(m => m.Name.StartsWith("masker + JobReporter -> ", StringComparison.Ordinal)))
{
    Target(m.Name["masker + JobReporter -> ".Length..] + ", the whole path", m, 100);
}

if (results.FirstOrDefault(m => m.Name.StartsWith("bare PostgreSQL", StringComparison.Ordinal)) is { } copy)
{
    var bare = copy.Bytes / 1e6 / copy.Seconds;
    Console.WriteLine($"  PostgreSQL itself (bare COPY of the lines as rows): {bare:F0} MB/s{(bare < 100 ? ", below the target: 100 MB/s is above what this server takes as rows, so the ratio to the bare COPY is the goal" : "")}");
    foreach (var m in results.Where(m => m.Name is "PostgreSQL AppendLogAsync alone" or "masker + JobReporter -> PostgreSQL"))
    {
        var rate = m.Bytes / 1e6 / m.Seconds;
        Console.WriteLine($"    {m.Name}: {rate:F1} MB/s, {rate / bare:F2}x the bare COPY{(m.ServerCpuSeconds is { } server ? $" (server CPU {server:F2} s against the COPY's {copy.ServerCpuSeconds:F2} s)" : "")}");
    }
}

return 0;

static async Task<long> RawFileAsync(Corpus corpus, long total, string path)
{
    var buffer = new byte[64 * 1024];
    await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
    {
        var lines = 0L;
        for (var pushed = 0L; pushed < total; lines++)
        {
            var line = corpus.Lines[lines % corpus.Lines.Length];
            var count = Encoding.UTF8.GetBytes(line, buffer);
            buffer[count] = (byte)'\n';
            await file.WriteAsync(buffer.AsMemory(0, count + 1));
            pushed += count + 1;
        }
    }

    File.Delete(path);
    return 0;
}

static long MaskOnly(Corpus corpus, SecretMasker masker, long total)
{
    var masked = 0L;
    var lines = 0L;
    for (var pushed = 0L; pushed < total; lines++)
    {
        var line = corpus.Lines[lines % corpus.Lines.Length];
        if (!ReferenceEquals(masker.Mask(line), line))
        {
            masked++;
        }

        pushed += Encoding.UTF8.GetByteCount(line) + 1;
    }

    return masked;
}

void Target(string what, Measurement m, double target)
{
    var rate = m.Bytes / 1e6 / m.Seconds;
    Console.WriteLine($"  {what} >= {target:F0} MB/s: {(rate >= target ? "met" : "NOT met")} ({rate:F0} MB/s, {rate / raw:F2}x the raw write; heap peak {m.HeapPeak / 1e6:F0} MB, RSS peak {m.RssPeak / 1e6:F0} MB)");
}

static Func<StoreSettings> SqliteAt(string path) => () =>
{
    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    {
        File.Delete(file);
    }

    return new StoreSettings(RunStores.Sqlite, path);
};

static Func<StoreSettings> PostgresAt(string server) => () => new StoreSettings(RunStores.Postgres, BarePostgres.Fresh(server));

static async Task<(ICairnStore Store, JobRecord Job)> OpenStoreAsync(Func<StoreSettings> fresh)
{
    var store = await RunStores.OpenAsync(fresh(), TimeProvider.System, CancellationToken.None);
    var plan = new RunPlan("bench", new TriggerEvent(TriggerKind.Manual, "bench/logs", null, null, new Dictionary<string, string>(), null),
        [new PlannedJob("noisy", "noisy", [], [], "{}")]);
    var run = await store.CreateRunAsync(plan, CancellationToken.None);
    return (store, (await store.GetJobsAsync(run.Id, CancellationToken.None))[0]);
}

static async Task<long> StoreOnlyAsync(Corpus corpus, long total, ICairnStore store, JobRecord job)
{
    var at = TimeProvider.System.GetUtcNow();
    var batchSize = int.Parse(Environment.GetEnvironmentVariable("BATCH") ?? "500", CultureInfo.InvariantCulture);
    var batch = new List<StoredLogLine>(batchSize);
    var sequence = 0L;
    for (var pushed = 0L; pushed < total; sequence++)
    {
        var line = corpus.Lines[sequence % corpus.Lines.Length];
        batch.Add(new StoredLogLine(sequence + 1, 0, LogStream.Stdout, at, line));
        pushed += Encoding.UTF8.GetByteCount(line) + 1;
        if (batch.Count == batchSize)
        {
            await store.AppendLogAsync(job.Id, [.. batch], CancellationToken.None);
            batch.Clear();
        }
    }

    await store.AppendLogAsync(job.Id, [.. batch], CancellationToken.None);
    return sequence;
}

static async Task<long> ReporterAsync(Corpus corpus, SecretMasker masker, long total, ICairnStore? opened, JobRecord? stored)
{
    var job = stored ?? new JobRecord(1, 1, "noisy", "noisy", [], [], JobStatus.Running, 1, null, null, null, null, null, "{}");
    IRunStore store = opened ?? NoStore.Create();
    var reporter = new JobReporter(job, 0, store, NullRunObserver.Instance, masker, TimeProvider.System, maxLogBytes: long.MaxValue);
    var lines = 0L;
    var at = TimeProvider.System.GetUtcNow();
    for (var pushed = 0L; pushed < total; lines++)
    {
        var line = corpus.Lines[lines % corpus.Lines.Length];
        reporter.Log(new LogLine(0, LogStream.Stdout, at, line));
        pushed += Encoding.UTF8.GetByteCount(line) + 1;
    }

    await reporter.DisposeAsync();
    if (reporter.WriteFailure is { } failure)
    {
        throw new InvalidOperationException($"the store refused lines: {failure.Message}", failure);
    }

    if (opened is null)
    {
        return lines;
    }

    var last = await store.GetLastLogSequenceAsync(job.Id, CancellationToken.None);
    if (last != lines)
    {
        throw new InvalidOperationException($"{lines} lines reported, {last} stored");
    }

    var sample = await store.ReadLogAsync(job.Id, Math.Max(0, last - 20_000), 20_000, CancellationToken.None);
    foreach (var (name, value) in corpus.Secrets)
    {
        if (sample.Any(l => l.Text.Contains(value, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{name} leaked into the store");
        }
    }

    return lines;
}

internal sealed record Options(int Megabytes, int Secrets, string Out, int Seed, string Stores)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(200, 20, Path.Combine("bench", "out", "log-masking"), 1, "sqlite,postgres");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--mb" => options with { Megabytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--secrets" => options with { Secrets = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--out" => options with { Out = args[i + 1] },
                "--seed" => options with { Seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--stores" => options with { Stores = args[i + 1] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}

/// <summary>One phase's figures: time, bytes allocated, the managed heap's peak (sampled) and the process's peak
/// resident set (reset before the phase through /proc/self/clear_refs, where Linux allows it).</summary>
internal sealed record Measurement(string Name, long Bytes, double Seconds, double CpuSeconds, long Allocated, long HeapPeak, long RssPeak)
{
    /// <summary>The CPU seconds the database server spent on the phase, where it is a server on this host.</summary>
    public double? ServerCpuSeconds { get; init; }

    public static async Task<Measurement> TakeAsync(string name, long bytes, Func<Task<long>> phase, Func<Func<double>>? server = null)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResetPeakRss();
        Console.Error.WriteLine($"{name}...");
        var heapPeak = GC.GetTotalMemory(false);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(false));
                try
                {
                    await Task.Delay(10, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverSince = server?.Invoke();
        var started = Stopwatch.GetTimestamp();
        await phase();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var serverSeconds = serverSince?.Invoke();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        await sampling.CancelAsync();
        await sampler;
        return new Measurement(name, bytes, seconds, cpuSeconds, allocated, heapPeak, PeakRss()) { ServerCpuSeconds = serverSeconds };
    }

    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static long PeakRss()
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null
            ? Process.GetCurrentProcess().PeakWorkingSet64
            : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
