using System.Data.Common;

namespace Cairn.Storage.Records;

/// <summary>Runs single statements against one database, whichever the dialect, each in its own implicit transaction.</summary>
internal interface IStatementRunner
{
    /// <summary>Runs one writing statement; returns the number of rows it changed.</summary>
    Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken);

    /// <summary>Runs one reading statement and maps every row.</summary>
    Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken);
}
