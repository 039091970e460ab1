using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>An open connection lent out by <see cref="SqliteDatabase"/>, keeping its prepared statements between loans.
/// Dispose it to give it back; the commands it hands out belong to it.</summary>
internal sealed class SqliteSession(SqliteConnection connection, SqliteDatabase owner) : IAsyncDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteChunkInsert? _chunkInsert;

    public SqliteConnection Connection => connection;

    /// <summary>The command for <paramref name="sql"/>, prepared on first use, with no parameters bound yet.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>The log chunk insert, prepared on first use.</summary>
    public SqliteChunkInsert ChunkInsert => _chunkInsert ??= new SqliteChunkInsert(connection);

    public SqliteTransaction BeginImmediate() => connection.BeginTransaction(deferred: false);

    public ValueTask DisposeAsync()
    {
        owner.Return(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the connection for good.</summary>
    public void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _chunkInsert?.Dispose();
        _chunkInsert = null;
        connection.Dispose();
    }
}
