using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench.QueueThroughput;

/// <summary>The bare database doing the same claim and complete on the same table, with nothing of Cairn around it.</summary>
internal static partial class Baselines
{
    // The statements of Cairn's SQLite store, with the worker's labels fixed to none: the search for the next job, its claim
    // by id, and the completion of the job before it, all in one BEGIN IMMEDIATE transaction.
    private const string SqliteNext = """
        SELECT j.id FROM jobs AS j INDEXED BY jobs_queued_fairly
        WHERE j.status = 'queued' AND (j.retry_at IS NULL OR j.retry_at <= @now)
          AND NOT EXISTS (SELECT 1 FROM json_each(j.labels) AS wanted
                          WHERE wanted.value NOT IN (SELECT offered.value FROM json_each('[]') AS offered))
        ORDER BY j.priority, j.fair_key, j.id LIMIT 1;
        """;

    private const string SqliteClaim = """
        UPDATE jobs
        SET status = 'running', lease_id = @lease, lease_owner = @worker, lease_expires_at = @expires,
            attempt = attempt + 1, started_at = @now, finished_at = NULL, retry_at = NULL, changed_at = @now
        WHERE id = @id AND status = 'queued';
        """;

    private const string SqliteComplete = """
        UPDATE jobs SET status = 'succeeded', exit_code = 0, started_at = @now, finished_at = @now, changed_at = @now,
            lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    // The statements of Cairn's PostgreSQL store, as a pgbench script of one statement: the completion of the client's last
    // job and the claim of its next travel together. :now is fixed, the lease id comes from the server; the first
    // completion (id 0, from -D) finds nothing, and each client's last claim is left running.
    private const string PgbenchScript = """
        \set now 1767225600000
        WITH done AS (UPDATE jobs SET status = 'succeeded', exit_code = 0, started_at = :now::bigint, finished_at = :now::bigint, changed_at = :now::bigint, lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = :id AND lease_id = :lease_id::uuid AND status = 'running') UPDATE jobs SET status = 'running', lease_id = gen_random_uuid(), lease_owner = 'pgbench', lease_expires_at = :now::bigint + 30000, attempt = attempt + 1, started_at = :now::bigint, finished_at = NULL, retry_at = NULL, changed_at = :now::bigint WHERE status = 'queued' AND id = (SELECT j.id FROM jobs AS j WHERE j.status = 'queued' AND (j.retry_at IS NULL OR j.retry_at <= :now::bigint) AND j.labels <@ '{}'::text[] ORDER BY j.priority, j.fair_key, j.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, lease_id \gset
        """;

    /// <summary>Each worker its own connection, as another process would hold, completing its last job and claiming the next
    /// in one transaction until the queue is empty.</summary>
    public static async Task<double> SqliteAsync(string path, int workers, int jobs, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
            async () =>
            {
                await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                await connection.OpenAsync(cancellationToken);
                await ExecuteAsync(connection, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;", cancellationToken);
                await using var next = Command(connection, SqliteNext);
                await using var claim = Command(connection, SqliteClaim);
                await using var complete = Command(connection, SqliteComplete);
                (long Id, string Lease)? held = null;
                do
                {
                    var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                    await using var transaction = connection.BeginTransaction(deferred: false);
                    if (held is var (heldId, heldLease))
                    {
                        complete.Transaction = transaction;
                        Bind(complete, ("@id", heldId), ("@lease", heldLease), ("@now", now));
                        await complete.ExecuteNonQueryAsync(cancellationToken);
                    }

                    next.Transaction = transaction;
                    Bind(next, ("@now", now));
                    held = null;
                    if (await next.ExecuteScalarAsync(cancellationToken) is long id)
                    {
                        var lease = Guid.NewGuid().ToString();
                        claim.Transaction = transaction;
                        Bind(claim, ("@id", id), ("@lease", lease), ("@worker", $"w{w}"), ("@expires", now + 30_000), ("@now", now));
                        await claim.ExecuteNonQueryAsync(cancellationToken);
                        held = (id, lease);
                    }

                    await transaction.CommitAsync(cancellationToken);
                }
                while (held is not null);
            },
            cancellationToken)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Runs pgbench with one completion-and-claim per transaction; returns its jobs per second, or null without pgbench.</summary>
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
                "-D", "id=0", "-D", "lease_id=00000000-0000-0000-0000-000000000000",
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
