using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cairn.Bench.LogIndex;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;
using Cairn.Storage;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

// Log ingestion through the store's real append path (AppendLogAsync, 500 lines a batch as JobReporter writes them) with
// the log index of migration 7 and with it dropped, on SQLite (where lines are indexed a moment after the append, thousands at a time: the time until all are indexed is printed too) and on PostgreSQL, beside a raw write of the same lines to a
// file; then the index's size and the time of a search through it, against a scan of every line.
// Usage: log-index [--lines 1000000] [--out DIR] [--postgres CONNECTION_STRING]
var lines = 1_000_000;
var output = "bench/out/log-index";
string? postgres = Environment.GetEnvironmentVariable("CAIRN_TEST_POSTGRES");
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--lines": lines = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--out": output = args[i + 1]; break;
        case "--postgres": postgres = args[i + 1]; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

Directory.CreateDirectory(output);
var rows = new List<string>();
var time = TimeProvider.System;

// Baseline: the same lines, newline-separated, to a file, flushed to disk at the end.
{
    var clock = Stopwatch.StartNew();
    var path = Path.Combine(output, "raw.log");
    await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
    await using (var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 20))
    {
        for (var i = 0; i < lines; i++)
        {
            await writer.WriteLineAsync(Workload.Line(i));
        }

        await writer.FlushAsync();
        file.Flush(flushToDisk: true);
    }

    rows.Add(Row("raw write to a file (baseline)", lines, clock.Elapsed, new FileInfo(path).Length, null, null));
}

foreach (var indexed in new[] { false, true })
{
    var path = Path.Combine(output, indexed ? "indexed.db" : "plain.db");
    foreach (var file in Directory.GetFiles(output, Path.GetFileName(path) + "*"))
    {
        File.Delete(file);
    }

    await using (var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, CancellationToken.None))
    {
        if (!indexed)
        {
            await SqliteAsync(path, "DROP TRIGGER log_chunks_queued; DROP TRIGGER log_chunks_removed; DROP TRIGGER jobs_removed_log_blocks; DROP TABLE log_text; DROP TABLE log_blocks; DROP TABLE log_unindexed_chunks;");
        }

        var (elapsed, text) = await IngestAsync(store, new Workload(lines, 10_000));
        string? note = null;
        if (indexed)
        {
            // The store indexes appended lines a moment later, off the append's path: how long until all are searchable.
            var clock = Stopwatch.StartNew();
            var caughtUp = await store.CatchUpLogIndexAsync(CancellationToken.None);
            note = ($"  SQLite index: {caughtUp:N0} lines still waited after the last append, indexed in {clock.Elapsed.TotalSeconds:F1} s; "
                + $"appends and indexing together {lines / (elapsed + clock.Elapsed).TotalSeconds:N0} lines/s");
        }

        await SqliteAsync(path, "PRAGMA wal_checkpoint(TRUNCATE);");
        var size = new FileInfo(path).Length;
        var label = indexed ? "SQLite, with the index" : "SQLite, no index";
        rows.Add(Row(label, lines, elapsed, size, text, indexed ? await SearchesAsync(store, path, null) : null));
        if (note is not null)
        {
            rows.Add(note);
        }
    }
}

if (postgres is not null)
{
    foreach (var indexed in new[] { false, true })
    {
        var name = indexed ? "cairn_bench_indexed" : "cairn_bench_plain";
        await PostgresAsync(postgres, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await PostgresAsync(postgres, $"CREATE DATABASE {name}");
        var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString;
        await using var store = await PostgresRunStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connection }, time, CancellationToken.None);
        if (!indexed)
        {
            // The append writes blocks in its own statement: without the index, a trigger turns them away.
            await PostgresAsync(connection, """
                DROP INDEX log_blocks_text_trgm;
                CREATE FUNCTION skip_block() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
                CREATE TRIGGER skip_block BEFORE INSERT ON log_blocks FOR EACH ROW EXECUTE FUNCTION skip_block();
                """);
        }

        var (elapsed, text) = await IngestAsync(store, new Workload(lines, 10_000));
        await PostgresAsync(connection, "VACUUM ANALYZE log_chunks");
        await PostgresAsync(connection, "VACUUM ANALYZE log_blocks");
        var size = await PostgresScalarAsync(connection, "SELECT pg_total_relation_size('log_chunks') + pg_total_relation_size('log_blocks')");
        var label = indexed ? "PostgreSQL, with the index" : "PostgreSQL, no index";
        rows.Add(Row(label, lines, elapsed, size, text, indexed ? await SearchesAsync(store, null, connection) : null));
        if (indexed)
        {
            var index = await PostgresScalarAsync(connection, "SELECT pg_relation_size('log_blocks_text_trgm')");
            var blocks = await PostgresScalarAsync(connection, "SELECT pg_table_size('log_blocks')");
            rows.Add($"  pg_trgm GIN index alone: {index / 1e6:F1} MB, {index / 1e6 / (lines / 1e6):F1} MB per million lines; "
                + $"the blocks' own copy of the text {blocks / 1e6:F1} MB");
        }
    }
}
else
{
    rows.Add("PostgreSQL skipped: set CAIRN_TEST_POSTGRES or pass --postgres");
}

Console.WriteLine();
Console.WriteLine($"{lines:N0} lines, {Workload.Batch} per append; searches take the first page (25 jobs) for: '{Workload.Rare}' (1 line in 50,000), '{Workload.Common}' (1 in 20), '{Workload.Absent}' (none); the scan reads every line for the rare one.");
Console.WriteLine($"{"",-32} {"wall s",7} {"lines/s",10} {"on disk",10} {"MB/M lines",10} {"text MB",8}  searches (ms: rare / common / absent / scan)");
foreach (var row in rows)
{
    Console.WriteLine(row);
}

return 0;

static string Row(string name, int lines, TimeSpan elapsed, long bytes, long? text, string? searches)
{
    var textMegabytes = text is { } t ? (t / 1e6).ToString("F1", CultureInfo.InvariantCulture) : "";
    return $"{name,-32} {elapsed.TotalSeconds,7:F1} {lines / elapsed.TotalSeconds,10:N0} {bytes / 1e6,7:F1} MB {bytes / 1e6 / (lines / 1e6),10:F1} {textMegabytes,8}  {searches}";
}

static async Task<(TimeSpan Elapsed, long TextBytes)> IngestAsync(CairnStore store, Workload workload)
{
    var clock = new Stopwatch();
    for (var job = 0; job < workload.Jobs; job++)
    {
        var plan = new RunPlan("bench", new TriggerEvent(TriggerKind.Push, $"acme/repo{job % 5}", "refs/heads/main", "abc", new Dictionary<string, string>()),
            [new PlannedJob("build", "key-build", [], [], "{}")]);
        var run = await store.CreateRunAsync(plan, CancellationToken.None);
        var jobId = (await store.GetJobsAsync(run.Id, CancellationToken.None))[0].Id;
        foreach (var batch in workload.BatchesOfJob(job, DateTimeOffset.UtcNow))
        {
            clock.Start();
            await store.AppendLogAsync(jobId, batch, CancellationToken.None);
            clock.Stop();
        }
    }

    return (clock.Elapsed, workload.TextBytes);
}

static async Task<string> SearchesAsync(CairnStore store, string? sqlite, string? postgres)
{
    var rare = await MedianAsync(() => store.SearchLogsAsync(new LogSearchQuery(Workload.Rare), CancellationToken.None));
    var common = await MedianAsync(() => store.SearchLogsAsync(new LogSearchQuery(Workload.Common), CancellationToken.None));
    var absent = await MedianAsync(() => store.SearchLogsAsync(new LogSearchQuery(Workload.Absent), CancellationToken.None));
    var scan = sqlite is not null
        ? await MedianAsync(() => SqliteScalarAsync(sqlite, $"SELECT count(*) FROM (SELECT job_id, min(seq), count(*) FROM log_lines WHERE instr(lower(text), '{Workload.Rare}') > 0 GROUP BY job_id);"))
        : await MedianAsync(() => PostgresAsync(postgres!, $"SET enable_bitmapscan = off; SELECT job_id, min(seq), count(*) FROM log_lines WHERE text ILIKE '%{Workload.Rare}%' GROUP BY job_id;"));
    return $"{rare:F1} / {common:F1} / {absent:F1} / {scan:F1}";
}

static async Task<double> MedianAsync<T>(Func<Task<T>> search)
{
    await search();
    var times = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        var clock = Stopwatch.StartNew();
        await search();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return times[2];
}

static async Task<int> SqliteAsync(string path, string sql)
{
    await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    return await command.ExecuteNonQueryAsync();
}

static async Task<long> SqliteScalarAsync(string path, string sql)
{
    await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

static async Task<int> PostgresAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return await command.ExecuteNonQueryAsync();
}

static async Task<long> PostgresScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}
