using System.Data.Common;
using Cairn.Storage.Portable;
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

    /// <summary>Runs one writing statement that returns rows, in its own implicit transaction.</summary>
    public Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
        QueryAsync(sql, bind, map, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one read-committed transaction on one pooled connection.</summary>
    public async Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(new PostgresTransactionRunner(connection, transaction));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}

/// <summary>Runs statements inside one open transaction. <see cref="Connection"/> is there for what only Npgsql does
/// (a batch of inserts in one round trip).</summary>
internal sealed class PostgresTransactionRunner(NpgsqlConnection connection, NpgsqlTransaction transaction) : IStatementRunner
{
    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction Transaction => transaction;

    public async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAllAsync(map, cancellationToken);
    }

    public Task<List<T>> WriteReturningAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
        QueryAsync(sql, bind, map, cancellationToken);

    public Task<T> InTransactionAsync<T>(Func<IStatementRunner, Task<T>> work, CancellationToken cancellationToken) => work(this);
}
