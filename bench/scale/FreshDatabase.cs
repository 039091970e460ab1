using Npgsql;

namespace Cairn.Bench.Scale;

/// <summary>Drops the PostgreSQL database a connection names, if it is there, and makes it again, empty.</summary>
internal static class FreshDatabase
{
    public static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var wanted = new NpgsqlConnectionStringBuilder(arguments.Required("--postgres"));
        var database = wanted.Database ?? throw new ArgumentException("--postgres must name a Database");
        wanted.Database = "postgres";
        await using var connection = new NpgsqlConnection(wanted.ToString());
        await connection.OpenAsync(cancellationToken);
        foreach (var sql in new[] { $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", $"CREATE DATABASE \"{database}\"" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return 0;
    }
}
