using System.Data.Common;
using Cairn.Storage.Records;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>The pooled data source of one PostgreSQL database, running the single statements the store sends most.</summary>
internal sealed class PostgresDatabase(NpgsqlDataSource source, string location) : IStatementRunner, IAsyncDisposable
{
    /// <summary>host:port/database, as messages name it.</summary>
    public string Location => location;

    public NpgsqlDataSource Source => source;

    /// <summary>Runs one statement in its own implicit transaction; returns the number of rows it changed.</summary>
    public async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(sql);
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs one reading statement and maps every row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAllAsync(map, cancellationToken);
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
