using System.Text;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench.LogMasking;

/// <summary>The same rows into the same table on a raw Microsoft.Data.Sqlite connection (the store's pragmas, one
/// transaction per 500 lines), inserted <c>rowsPerStatement</c> at a time with the synchronous API: how far the store's
/// one-statement-per-line AppendLogAsync is from what SQLite itself takes.</summary>
internal static class BareSqlite
{
    public static long Insert(Corpus corpus, long total, string path, int rowsPerStatement)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
            CREATE TABLE log_lines (
                job_id INTEGER NOT NULL, seq INTEGER NOT NULL, step_idx INTEGER NOT NULL, stream TEXT NOT NULL,
                ts INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
            """);

        var sql = new StringBuilder("INSERT INTO log_lines (job_id, seq, step_idx, stream, ts, text) VALUES ");
        for (var row = 0; row < rowsPerStatement; row++)
        {
            sql.Append(row == 0 ? "" : ", ").Append($"(1, @s{row}, 0, 'out', 0, @t{row})");
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = sql.ToString();
        var sequences = Enumerable.Range(0, rowsPerStatement).Select(r => insert.Parameters.Add($"@s{r}", SqliteType.Integer)).ToArray();
        var texts = Enumerable.Range(0, rowsPerStatement).Select(r => insert.Parameters.Add($"@t{r}", SqliteType.Text)).ToArray();

        var sequence = 0L;
        var transaction = connection.BeginTransaction();
        insert.Transaction = transaction;
        for (var pushed = 0L; pushed < total;)
        {
            for (var row = 0; row < rowsPerStatement; row++, sequence++)
            {
                var line = corpus.Lines[sequence % corpus.Lines.Length];
                sequences[row].Value = sequence + 1;
                texts[row].Value = line;
                pushed += Encoding.UTF8.GetByteCount(line) + 1;
            }

            insert.ExecuteNonQuery();
            if (sequence % 500 < rowsPerStatement)
            {
                transaction.Commit();
                transaction.Dispose();
                transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
            }
        }

        transaction.Commit();
        transaction.Dispose();
        return sequence;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
