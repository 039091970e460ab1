using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Tests;

public sealed class SqliteSmokeTests
{
    [Fact]
    public void BundledSqlite_SupportsReturning()
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a') RETURNING id;";
        Assert.Equal(1L, command.ExecuteScalar());
    }
}
