using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Opens pooled connections to one database file and takes turns at writing to it.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    // SQLite lets one writer in at a time. Writers of this process queue here rather than at the file lock, where a
    // refused writer sleeps in the busy handler for whole milliseconds; other processes still meet busy_timeout.
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Location = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Location,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    public string Location { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqliteSql.ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for this process's turn to write; dispose the result to pass the turn on.</summary>
    public async Task<WriteTurn> TakeWriteTurnAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        return new WriteTurn(_writeTurn);
    }

    /// <summary>Runs one writing statement in its own implicit transaction; returns the number of rows it changed.</summary>
    public async Task<int> ExecuteWriteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        using var turn = await TakeWriteTurnAsync(cancellationToken);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs one reading statement and maps every row.</summary>
    public async Task<List<T>> QueryAsync<T>(
        string sql, Action<SqliteCommand> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Closes the pooled connections so the file is released.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeTurn.Dispose();
    }

    internal readonly struct WriteTurn(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}
