using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cairn.Bench.Scale;

/// <summary>What a seeded store holds, kept beside it so that a later sitting reuses it.</summary>
internal sealed record SeededHistory(int Runs, long Lines, int Repositories, string Repository, long NewestRunId);

/// <summary>A store with a long history, before a server starts on it: runs over many repositories and branches, three
/// jobs each with their steps, all ended, written through the store as the planner writes them; then log lines appended
/// through <c>AppendLogAsync</c> in large batches to the jobs of the newest runs, 10,000 lines a job.</summary>
internal static class HistorySeed
{
    private const int LinesPerJob = 10_000;
    private const int Batch = 5_000;
    private static readonly string[] Branches = ["main", "develop", "feature/login", "release/2.0", "fix/flaky-test"];

    public static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var runs = arguments.Number("--runs", 100_000);
        var lines = long.Parse(arguments.Value("--lines") ?? "10000000", CultureInfo.InvariantCulture);
        var repositories = arguments.Number("--repos", 100);
        var target = StoreTarget.From(arguments);
        await target.CreateDatabaseAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        await using var store = await RunStores.OpenAsync(target.Settings, TimeProvider.System, cancellationToken);

        var now = DateTimeOffset.UtcNow;
        for (var r = 0; r < repositories; r++)
        {
            await store.AddRepositoryAsync(
                new RepositoryRecord(RepositoryName(r), ForgeKind.GitHub, $"https://git.example/{RepositoryName(r)}.git", "https://api.github.com", "main", null, null, now),
                cancellationToken);
        }

        static PlannedJob Job(string name, params string[] needs) => new(name, name, needs, [], """{"steps":[{"name":"checkout"},{"name":"script"}]}""");
        PlannedJob[] three = [Job("build"), Job("test", "build"), Job("deploy", "test")];
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            await store.CreateRunAsync(new RunPlan("ci", Trigger(i, repositories), three), ct);
            if (Interlocked.Increment(ref written) % 10_000 == 0)
            {
                Console.Error.WriteLine($"    {written:N0} runs written ({clock.Elapsed.TotalSeconds:0} s)");
            }
        });

        Console.Error.WriteLine($"    ending every run ({clock.Elapsed.TotalSeconds:0} s)");
        await target.ExecuteAsync(EndEverything, cancellationToken);

        // The lines go to the jobs of the newest runs, as a busy server's retention would leave them.
        var jobIds = await target.QueryIdsAsync($"SELECT id FROM jobs ORDER BY id DESC LIMIT {(lines + LinesPerJob - 1) / LinesPerJob}", cancellationToken);
        var started = now.AddMinutes(-10);
        long appended = 0;
        await Parallel.ForEachAsync(jobIds, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (jobId, ct) =>
        {
            for (var from = 1; from <= LinesPerJob; from += Batch)
            {
                var take = Math.Min(Batch, LinesPerJob - from + 1);
                var total = Interlocked.Add(ref appended, take);
                if (total - take >= lines)
                {
                    return;
                }

                var batch = Enumerable.Range(from, take)
                    .Select(n => new StoredLogLine(n, n > 100 ? 1 : 0, LogStream.Stdout, started.AddMilliseconds(n * 5), LogLine(jobId, n)))
                    .ToList();
                await store.AppendLogAsync(jobId, batch, ct);
                if (total / 500_000 != (total - take) / 500_000)
                {
                    Console.Error.WriteLine($"    {total:N0} log lines appended ({clock.Elapsed.TotalSeconds:0} s)");
                }
            }
        });

        var newest = (await target.QueryIdsAsync("SELECT max(id) FROM runs", cancellationToken))[0];
        var seeded = new SeededHistory(runs, Math.Min(appended, lines), repositories, RepositoryName(7), newest);
        await File.WriteAllTextAsync(target.SeedFile, JsonSerializer.Serialize(seeded), cancellationToken);
        Console.Error.WriteLine($"  seeded {runs:N0} runs over {repositories} repositories and {seeded.Lines:N0} log lines in {clock.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    public static string RepositoryName(int r) => $"bench/service-{r:D3}";

    private static string LogLine(long job, int n) => (n % 97) == 0
        ? $"\u001b[31merror\u001b[0m: test case {n} of job {job} failed: expected 200, got 500"
        : $"[{n,6}] compiling src/module{n % 50}/file{n % 7}.c -> build/obj/module{n % 50}/file{n % 7}.o";

    private static TriggerEvent Trigger(int i, int repositories) => new(
        i % 10 == 9 ? TriggerKind.PullRequest : TriggerKind.Push,
        RepositoryName(i % repositories),
        "refs/heads/" + Branches[i / repositories % Branches.Length],
        (0xabc0000L + i).ToString("x40", CultureInfo.InvariantCulture),
        new Dictionary<string, string>())
    {
        Sender = "octocat",
    };

    /// <summary>As the dashboard benchmark ends its runs: one in seven failed (test failed, deploy skipped), one in fifty
    /// cancelled, the rest succeeded; every job gets a checkout and a script step.</summary>
    private static readonly string[] EndEverything =
    [
        """
        UPDATE runs SET
            status = CASE WHEN id % 7 = 0 THEN 'failed' WHEN id % 50 = 0 THEN 'cancelled' ELSE 'succeeded' END,
            started_at = created_at, finished_at = created_at + 90000
        """,
        """
        UPDATE jobs SET
            status = CASE WHEN run_id % 7 = 0 AND name = 'test' THEN 'failed'
                          WHEN run_id % 7 = 0 AND name = 'deploy' THEN 'skipped'
                          WHEN run_id % 50 = 0 AND name = 'deploy' THEN 'cancelled'
                          ELSE 'succeeded' END,
            exit_code = CASE WHEN run_id % 7 = 0 AND name = 'test' THEN 1 ELSE 0 END,
            attempt = 1,
            started_at = (SELECT created_at FROM runs WHERE runs.id = jobs.run_id) + ordinal * 20000,
            finished_at = (SELECT created_at FROM runs WHERE runs.id = jobs.run_id) + ordinal * 20000 + 15000
        """,
        """
        INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
        SELECT id, 0, 'checkout', 'succeeded', 0, started_at, started_at + 2000 FROM jobs
        """,
        """
        INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
        SELECT id, 1, 'script', status, exit_code, started_at + 2000, finished_at FROM jobs WHERE status <> 'skipped'
        """,
    ];
}

/// <summary>The store a part works on: a SQLite file (<c>--sqlite</c>) or a PostgreSQL database (<c>--postgres</c>), with
/// bare connections for the SQL timed beside the server, and the seed's description kept beside it.</summary>
internal sealed class StoreTarget
{
    private StoreTarget(StoreSettings settings, string? postgres, string? sqlite, string seedFile)
    {
        Settings = settings;
        Postgres = postgres;
        Sqlite = sqlite;
        SeedFile = seedFile;
    }

    public StoreSettings Settings { get; }

    public string? Postgres { get; }

    public string? Sqlite { get; }

    public string SeedFile { get; }

    public string Name => Postgres is null ? "SQLite" : "PostgreSQL";

    public static StoreTarget From(Arguments arguments)
    {
        var seedFile = Path.GetFullPath(arguments.Required("--seed-file"));
        if (arguments.Value("--postgres") is { } postgres)
        {
            return new StoreTarget(new StoreSettings(RunStores.Postgres, postgres), postgres, null, seedFile);
        }

        var file = Path.GetFullPath(arguments.Required("--sqlite"));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return new StoreTarget(new StoreSettings(RunStores.Sqlite, file), null, file, seedFile);
    }

    public DbConnection Connect() => Postgres is { } postgres
        ? new NpgsqlConnection(postgres)
        : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Sqlite, Pooling = false }.ToString());

    /// <summary>Creates the PostgreSQL database named, when it is not there yet (through the maintenance database).</summary>
    public async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        if (Postgres is null)
        {
            return;
        }

        var wanted = new NpgsqlConnectionStringBuilder(Postgres);
        var database = wanted.Database ?? throw new ArgumentException("--postgres must name a Database");
        wanted.Database = "postgres";
        await using var connection = new NpgsqlConnection(wanted.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task ExecuteAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        await using var connection = Connect();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.CommandTimeout = 3600;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<long>> QueryIdsAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = Connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return ids;
    }
}
