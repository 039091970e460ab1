using System.Globalization;
using Cairn.Bench.QueueThroughput;
using Cairn.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

// Usage: queue-throughput [--jobs 20000] [--workers 8] [--producers 2] [--samples 200] [--stores sqlite,postgres]
//                         [--postgres CONNECTION] [--pgbench PATH] [--out DIR]
var options = Options.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

Directory.CreateDirectory(options.Out);
var report = new Report();
foreach (var kind in options.Stores)
{
    if (kind == RunStores.Postgres && options.Postgres is null)
    {
        Console.WriteLine("postgres: skipped (no --postgres connection string, CAIRN_TEST_POSTGRES unset)");
        continue;
    }

    await using var database = await BenchDatabase.CreateAsync(kind, options, cancel.Token);
    await new Scenarios(options, database, report).RunAsync(cancel.Token);
}

report.Print(options);

/// <summary>What to run, from the command line.</summary>
internal sealed record Options(int Jobs, int Workers, int Producers, int Samples, string[] Stores, string? Postgres, string Pgbench, string Out)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            Number("--jobs", 20_000),
            Number("--workers", 8),
            Number("--producers", 2),
            Number("--samples", 200),
            (Value("--stores") ?? "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries),
            Value("--postgres") ?? Environment.GetEnvironmentVariable("CAIRN_TEST_POSTGRES"),
            Value("--pgbench") ?? "/usr/lib/postgresql/15/bin/pgbench",
            Path.GetFullPath(Value("--out") ?? Path.Combine("bench", "out", "queue-throughput")));
    }
}

/// <summary>A fresh database for one store kind: a new SQLite file, or a new PostgreSQL database dropped afterwards.</summary>
internal sealed class BenchDatabase(string kind, string connection, string? server) : IAsyncDisposable
{
    public string Kind => kind;

    public string Connection => connection;

    public static async Task<BenchDatabase> CreateAsync(string kind, Options options, CancellationToken cancellationToken)
    {
        var name = $"cairn_bench_{Environment.ProcessId}";
        if (kind == RunStores.Sqlite)
        {
            var path = Path.Combine(options.Out, $"{name}.db");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }

            return new BenchDatabase(kind, path, null);
        }

        await AdministerAsync(options.Postgres!, $"DROP DATABASE IF EXISTS {name}", cancellationToken);
        await AdministerAsync(options.Postgres!, $"CREATE DATABASE {name}", cancellationToken);
        return new BenchDatabase(kind, new NpgsqlConnectionStringBuilder(options.Postgres) { Database = name }.ConnectionString, options.Postgres);
    }

    /// <summary>Runs one statement beside the store, e.g. to queue every waiting job at once.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        if (kind == RunStores.Sqlite)
        {
            await using var sqlite = new SqliteConnection($"Data Source={connection};Pooling=False");
            await sqlite.OpenAsync(cancellationToken);
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var postgres = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Pooling = false }.ConnectionString);
        await postgres.OpenAsync(cancellationToken);
        await using var pg = new NpgsqlCommand(sql, postgres);
        await pg.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await AdministerAsync(server, $"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(connection).Database} WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task AdministerAsync(string server, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
