using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Cairn.Bench.LogMasking;

/// <summary>A throw-away PostgreSQL database for one phase, and the same rows into the same <c>log_lines</c> table through
/// a bare binary <c>COPY</c>, one per 500 lines: what PostgreSQL itself takes, with nothing of Cairn around it.</summary>
internal static class BarePostgres
{
    public const string Database = "cairn_bench_log_masking";

    /// <summary>The CPU seconds the server's backend spent on the last <see cref="Copy"/>.</summary>
    public static double LastServerSeconds { get; private set; }

    /// <summary>Drops and creates the bench's database on the server; answers its connection string, pooled as a store's
    /// connections are (without a pool every statement of a store would start a backend of its own).</summary>
    public static string Fresh(string server)
    {
        Administer(server, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        Administer(server, $"CREATE DATABASE {Database}");
        return new NpgsqlConnectionStringBuilder(server) { Database = Database, Pooling = true }.ConnectionString;
    }

    public static void Drop(string server) => Administer(server, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");

    public static long Copy(Corpus corpus, long total, string server)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Fresh(server)) { Pooling = false }.ConnectionString);
        connection.Open();
        using (var create = new NpgsqlCommand("""
            CREATE TABLE log_lines (
                job_id bigint NOT NULL, seq bigint NOT NULL, step_idx int NOT NULL, stream text NOT NULL,
                ts bigint NOT NULL, text text NOT NULL, PRIMARY KEY (job_id, seq));
            """, connection))
        {
            create.ExecuteNonQuery();
        }

        using var backend = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var pid = (int)backend.ExecuteScalar()!;
        var before = ServerCpu.Ticks(pid) ?? 0;
        var sequence = 0L;
        for (var pushed = 0L; pushed < total;)
        {
            using var transaction = connection.BeginTransaction();
            using (var copy = connection.BeginBinaryImport("COPY log_lines (job_id, seq, step_idx, stream, ts, text) FROM STDIN (FORMAT BINARY)"))
            {
                for (var row = 0; row < 500 && pushed < total; row++, sequence++)
                {
                    var line = corpus.Lines[sequence % corpus.Lines.Length];
                    copy.StartRow();
                    copy.Write(1L, NpgsqlDbType.Bigint);
                    copy.Write(sequence + 1, NpgsqlDbType.Bigint);
                    copy.Write(0, NpgsqlDbType.Integer);
                    copy.Write("stdout", NpgsqlDbType.Text);
                    copy.Write(0L, NpgsqlDbType.Bigint);
                    copy.Write(line, NpgsqlDbType.Text);
                    pushed += Encoding.UTF8.GetByteCount(line) + 1;
                }

                copy.Complete();
            }

            transaction.Commit();
        }

        LastServerSeconds = ((ServerCpu.Ticks(pid) ?? before) - before) / 100.0;
        return sequence;
    }

    private static void Administer(string server, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
