using Cairn.Core.Runs;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cairn.Storage.Sqlite;

/// <summary><see cref="SqliteSql.InsertLogChunk"/> as SQLite's own statement, kept by its session with the buffer its
/// chunks are encoded into: a chunk's JSON is bound from that buffer as it is, where a command's parameter would want an
/// array of its exact length (a copy and an allocation a chunk), a boxed value for each number and a data reader.</summary>
internal sealed class SqliteChunkInsert : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly int _job;
    private readonly int _first;
    private readonly int _last;
    private readonly int _lines;
    private byte[] _json = new byte[SqliteLogChunks.MaximumLength * 8];

    public SqliteChunkInsert(SqliteConnection connection)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_database, SqliteSql.InsertLogChunk, out _statement), _database);
        _job = raw.sqlite3_bind_parameter_index(_statement, "@job");
        _first = raw.sqlite3_bind_parameter_index(_statement, "@first");
        _last = raw.sqlite3_bind_parameter_index(_statement, "@last");
        _lines = raw.sqlite3_bind_parameter_index(_statement, "@lines");
    }

    /// <summary>Inserts the chunk of <paramref name="count"/> lines from <paramref name="start"/> in the connection's
    /// transaction; a refusal (a line already stored) throws the <see cref="SqliteException"/> a command would have.</summary>
    public void Insert(long jobId, IReadOnlyList<StoredLogLine> lines, int start, int count)
    {
        var length = SqliteLogChunks.Encode(ref _json, lines, start, count);
        try
        {
            Check(raw.sqlite3_bind_int64(_statement, _job, jobId));
            Check(raw.sqlite3_bind_int64(_statement, _first, lines[start].Sequence));
            Check(raw.sqlite3_bind_int64(_statement, _last, lines[start + count - 1].Sequence));
            Check(raw.sqlite3_bind_text(_statement, _lines, _json.AsSpan(0, length)));
            var done = raw.sqlite3_step(_statement);
            if (done != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(done, _database);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result) => SqliteException.ThrowExceptionForRC(result, _database);
}
