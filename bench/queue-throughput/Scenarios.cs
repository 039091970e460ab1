using Cairn.Storage;

namespace Cairn.Bench.QueueThroughput;

/// <summary>The measurements for one store kind, in order: warm-up, full cycle, drain, bare-database baseline, pickup latency.</summary>
internal sealed class Scenarios(Options options, BenchDatabase database, Report report)
{
    private const int RunSize = 100;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var kind = database.Kind;
        var settings = new StoreSettings(kind, database.Connection, TimeSpan.FromMinutes(5));
        await using var producer = await RunStores.OpenAsync(settings, TimeProvider.System, cancellationToken);

        // SQLite wakes only the workers of the instance that queued; PostgreSQL's workers sit in another instance, as in another process.
        await using var other = kind == RunStores.Postgres ? await RunStores.OpenAsync(settings, TimeProvider.System, cancellationToken) : null;
        var consumer = other ?? producer;
        var workload = new Workload(options.Workers, options.Producers, RunSize);

        Console.Error.WriteLine($"{kind}: warming up");
        await workload.FullCycleAsync(producer, consumer, Math.Min(1_000, options.Jobs), cancellationToken);

        Console.Error.WriteLine($"{kind}: full cycle of {options.Jobs} jobs");
        var full = await workload.FullCycleAsync(producer, consumer, options.Jobs, cancellationToken);
        report.Add(kind, $"{Report.FullCycle}: start run+lease+complete", options.Jobs / full, null);

        Console.Error.WriteLine($"{kind}: runs started for {options.Jobs} jobs, no workers");
        var enqueue = await workload.EnqueueAsync(producer, options.Jobs, cancellationToken);
        report.Add(kind, "start runs only (no workers)", options.Jobs / enqueue, null);

        Console.Error.WriteLine($"{kind}: lease+complete of {options.Jobs} queued jobs");
        var drain = await workload.DrainAsync(consumer, options.Jobs, cancellationToken);

        Console.Error.WriteLine($"{kind}: the bare database on {options.Jobs} queued jobs");
        await PrefillAsync(workload, producer, cancellationToken);
        var baseline = kind == RunStores.Sqlite
            ? options.Jobs / await Baselines.SqliteAsync(database.Connection, options.Workers, options.Jobs, cancellationToken)
            : await Baselines.PgbenchAsync(options.Pgbench, database.Connection, options.Workers, options.Jobs, options.Out, cancellationToken);
        report.Add(kind, "lease+complete of queued jobs", options.Jobs / drain, baseline);

        Console.Error.WriteLine($"{kind}: pickup latency over {options.Samples} jobs");
        var latencies = await workload.PickupAsync(producer, consumer, options.Samples, cancellationToken);
        report.AddLatency(kind, latencies);
    }

    private async Task PrefillAsync(Workload workload, ICairnStore store, CancellationToken cancellationToken)
    {
        await workload.ProduceAsync(store, options.Jobs, queue: false, cancellationToken);
        await database.ExecuteAsync("UPDATE jobs SET status = 'queued', fair_key = id WHERE status = 'waiting'", cancellationToken);
        if (database.Kind == RunStores.Postgres)
        {
            await database.ExecuteAsync("VACUUM ANALYZE jobs", cancellationToken);
        }
    }
}
