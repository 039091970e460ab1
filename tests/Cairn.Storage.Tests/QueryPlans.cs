using System.Data.Common;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Statements and query plans read beside a store, on a raw connection of either database, for the tests that
/// check which index a statement walks.</summary>
internal static class QueryPlans
{
    public static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Token);
    }

    public static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of the plan, joined: SQLite's detail column is the last, PostgreSQL's plan has one.</summary>
    public static async Task<string> PlanAsync(DbConnection connection, string sql, Action<DbCommand>? bind = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind?.Invoke(command);
        await using var reader = await command.ExecuteReaderAsync(Token);
        var rows = new List<string>();
        while (await reader.ReadAsync(Token))
        {
            rows.Add(reader.GetString(reader.FieldCount - 1));
        }

        var plan = string.Join('\n', rows);
        TestContext.Current.SendDiagnosticMessage(plan);
        return plan;
    }

    /// <summary>Binds named values to <paramref name="command"/>, in either database's parameter type.</summary>
    public static void Bind(DbCommand command, params (string Name, object Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }
}
