using System.Data.Common;

namespace Cairn.Storage.Portable;

/// <summary>Runs statements against one database, whichever the dialect: each alone in its own implicit transaction, or
/// several together in one.</summary>
internal interface IStatementRunner
{
    /// <summary>Runs one writing statement; returns the number of rows it changed.</summary>
    Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken);

    /// <summary>Runs one reading statement and maps every row.</summary>
    Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken);

    /// <summary>Runs one writing statement that returns rows (<c>RETURNING</c>) and maps every row.</summary>
    Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction that may write, committing when it returns and rolling back
    /// when it throws. SQLite takes the write lock at the start (<c>BEGIN IMMEDIATE</c>), so what the work reads cannot
    /// change under it; PostgreSQL runs it at read committed. Inside a transaction, this runs the work in it.</summary>
    Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken);
}
