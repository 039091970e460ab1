using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench.QueueThroughput;

/// <summary>The bare database doing the same claim and complete on the same table, with nothing of Cairn around it.</summary>
internal static partial class Baselines
{
    // The statements of Cairn's SQLite store, with the worker's labels fixed to none.
    private const string SqliteClaim = """
        UPDATE jobs
        SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
            attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL
        WHERE id = (
            SELECT j.id FROM jobs AS j
            WHERE j.status = 'queued' AND (j.retry_at IS NULL OR j.retry_at <= @now)
              AND NOT EXISTS (SELECT 1 FROM json_each(j.labels) AS wanted
                              WHERE wanted.value NOT IN (SELECT offered.value FROM json_each('[]') AS offered))
            ORDER BY j.id LIMIT 1)
        RETURNING id;
        """;

    private const string SqliteComplete = """
        UPDATE jobs SET status = 'succeeded', exit_code = 0, started_at = @now, finished_at = @now,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    // The statements of Cairn's PostgreSQL store, as a pgbench script: :now is fixed, the lease id comes from the server.
    private const string PgbenchScript = """
        \set now 1767225600000
        UPDATE jobs SET status = 'running', lease_id = gen_random_uuid(), lease_owner = 'pgbench', lease_expires_at = :now::bigint + 30000, attempt = attempt + 1, started_at = :now::bigint, finished_at = NULL, retry_at = NULL WHERE status = 'queued' AND id = (SELECT j.id FROM jobs AS j WHERE j.status = 'queued' AND (j.retry_at IS NULL OR j.retry_at <= :now::bigint) AND j.labels <@ '{}'::text[] ORDER BY j.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, lease_id \gset
        UPDATE jobs SET status = 'succeeded', exit_code = 0, started_at = :now::bigint, finished_at = :now::bigint, lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = :id AND lease_id = :lease_id::uuid AND status = 'running';
        """;

    /// <summary>Each worker its own connection, as another process would hold, claiming and completing until the queue is empty.</summary>
    public static async Task<double> SqliteAsync(string path, int workers, int jobs, CancellationToken cancellationToken)
    {
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
            async () =>
            {
                await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                await connection.OpenAsync(cancellationToken);
                await ExecuteAsync(connection, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;", cancellationToken);
                await using var claim = Command(connection, SqliteClaim);
                await using var complete = Command(connection, SqliteComplete);
                while (Volatile.Read(ref done) < jobs)
                {
                    var lease = Guid.NewGuid().ToString();
                    var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                    long? id;
                    await using (var transaction = connection.BeginTransaction(deferred: false))
                    {
                        claim.Transaction = transaction;
                        Bind(claim, ("@lease", lease), ("@worker", $"w{w}"), ("@expires", now + 30_000), ("@now", now));
                        id = (long?)await claim.ExecuteScalarAsync(cancellationToken);
                        await transaction.CommitAsync(cancellationToken);
                    }

                    if (id is null)
                    {
                        break;
                    }

                    Bind(complete, ("@id", id.Value), ("@lease", lease), ("@now", now));
                    await complete.ExecuteNonQueryAsync(cancellationToken);
                    Interlocked.Increment(ref done);
                }
            },
            cancellationToken)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Runs pgbench with one claim-and-complete per transaction; returns its jobs per second, or null without pgbench.</summary>
    public static async Task<double?> PgbenchAsync(string pgbench, string connectionString, int workers, int jobs, string scratch, CancellationToken cancellationToken)
    {
        if (!File.Exists(pgbench))
        {
            return null;
        }

        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var script = Path.Combine(scratch, "claim.sql");
        await File.WriteAllTextAsync(script, PgbenchScript, cancellationToken);
        var start = new ProcessStartInfo(pgbench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "-n", "-M", "prepared", "-c", workers.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(workers, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
                "-t", (jobs / workers).ToString(CultureInfo.InvariantCulture), "-f", script,
                "-h", settings.Host!, "-p", settings.Port.ToString(CultureInfo.InvariantCulture), "-U", settings.Username ?? "postgres", settings.Database!,
            },
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var tps = Tps().Match(output);
        return process.ExitCode == 0 && tps.Success
            ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {errors}{output}");
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Bind(SqliteCommand command, params (string Name, object Value)[] values)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in values)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
