using System.Collections.Concurrent;
using System.Data.Common;
using Cairn.Storage.Portable;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Lends out open connections to one database file and takes turns at writing to it.</summary>
/// <remarks>
/// The store pools its own connections, rather than the driver's pool, so that each keeps its per-connection pragmas
/// and its prepared statements: a job costs a handful of statements, and parsing them anew each time would dominate.
/// </remarks>
internal sealed class SqliteDatabase : IStatementRunner, IDisposable
{
    private const int MaxIdleSessions = 16;

    // SQLite lets one writer in at a time. Writers of this process queue here rather than at the file lock, where a
    // refused writer sleeps in the busy handler for whole milliseconds; other processes still meet busy_timeout.
    private readonly SqliteWriteTurns _writeTurns;
    private readonly SqliteCheckpoints _checkpoints;
    private readonly ConcurrentBag<SqliteSession> _idle = [];
    private readonly string _connectionString;
    private volatile bool _disposed;

    public SqliteDatabase(string path)
    {
        Location = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Location,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        _checkpoints = new SqliteCheckpoints(Location, _connectionString);
        _writeTurns = new SqliteWriteTurns(_checkpoints.Wrote);
        Urgent = new UrgentWrites(this);
    }

    public string Location { get; }

    /// <summary>The thread that copies the log back into the file, for tests.</summary>
    internal SqliteCheckpoints Checkpoints => _checkpoints;

    /// <summary>This database for writes someone waits on (a webhook's journal entry): they take the turn at writing
    /// before any ordinary writer waiting for it.</summary>
    public IStatementRunner Urgent { get; }

    public Task<SqliteSession> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            return Task.FromResult(idle);
        }

        // Opening a SQLite connection does not wait for anything: the driver's async open is this same work.
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new SqliteSession(Connect(_connectionString), this));
    }

    /// <summary>A new connection to the file, open, with the per-connection pragmas set; its caller owns it.</summary>
    internal static SqliteConnection Connect(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqliteSql.ConnectionPragmas;
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Waits for this process's turn to write (before ordinary writers when <paramref name="urgent"/>); dispose
    /// the result to pass the turn on.</summary>
    public Task<SqliteWriteTurns.Turn> TakeWriteTurnAsync(CancellationToken cancellationToken, bool urgent = false) =>
        _writeTurns.TakeAsync(urgent, cancellationToken);

    /// <summary>Runs one writing statement in its own implicit transaction, in this process's turn at writing; returns the
    /// number of rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        ExecuteAsync(sql, bind, urgent: false, cancellationToken);

    private async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, bool urgent, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        var command = session.Command(sql);
        bind(command);
        using var turn = await TakeWriteTurnAsync(cancellationToken, urgent);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs one reading statement and maps every row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        var command = session.Command(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAllAsync(map, cancellationToken);
    }

    /// <summary>Runs one writing statement that returns rows, in this process's turn at writing.</summary>
    public Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
        WriteReturningAsync(sql, bind, map, urgent: false, cancellationToken);

    private async Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, bool urgent, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        var command = session.Command(sql);
        bind(command);
        using var turn = await TakeWriteTurnAsync(cancellationToken, urgent);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAllAsync(map, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in one <c>BEGIN IMMEDIATE</c> transaction, in this process's turn at writing:
    /// holding the write lock from the start, nothing it read can change before it commits, whichever process writes.</summary>
    public Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(work, urgent: false, cancellationToken);

    private async Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, bool urgent, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        using var turn = await TakeWriteTurnAsync(cancellationToken, urgent);
        await using var transaction = session.BeginImmediate();
        var result = await work(new SqliteTransactionRunner(session, transaction));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs statements inside <paramref name="transaction"/>, opened on <paramref name="session"/> by a caller that
    /// holds this process's turn at writing.</summary>
    public static IStatementRunner Within(SqliteSession session, SqliteTransaction transaction) => new SqliteTransactionRunner(session, transaction);

    internal void Return(SqliteSession session)
    {
        if (_disposed || _idle.Count >= MaxIdleSessions)
        {
            session.Close();
            return;
        }

        _idle.Add(session);

        // Dispose may have drained the bag between the check and the add.
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Close();
        }
    }

    /// <summary>Closes the idle connections; sessions still lent out close when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        _checkpoints.Dispose();
        while (_idle.TryTake(out var session))
        {
            session.Close();
        }

        _writeTurns.Dispose();
    }

    /// <summary>The database's statements, with writes taking the urgent lane of the turn at writing.</summary>
    private sealed class UrgentWrites(SqliteDatabase database) : IStatementRunner
    {
        public Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
            database.ExecuteAsync(sql, bind, urgent: true, cancellationToken);

        public Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
            database.QueryAsync(sql, bind, map, cancellationToken);

        public Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
            database.WriteReturningAsync(sql, bind, map, urgent: true, cancellationToken);

        public Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken) =>
            database.InTransactionAsync(work, urgent: true, cancellationToken);
    }

    /// <summary>Runs statements inside one open transaction, on its session's prepared commands.</summary>
    private sealed class SqliteTransactionRunner(SqliteSession session, SqliteTransaction transaction) : IStatementRunner
    {
        public async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
        {
            var command = session.Command(sql, transaction);
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        {
            var command = session.Command(sql, transaction);
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAllAsync(map, cancellationToken);
        }

        public Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
            QueryAsync(sql, bind, map, cancellationToken);

        public Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken) => work(this);
    }
}
