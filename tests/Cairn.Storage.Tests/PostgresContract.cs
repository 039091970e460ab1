namespace Cairn.Storage.Tests;

/// <summary>The store contract on PostgreSQL: one database for the class, emptied before each test.</summary>
public sealed class PostgresContract(PostgresTestDatabase database) : StoreContract, IClassFixture<PostgresTestDatabase>
{
    protected override Task<StoreScope> OpenAsync()
    {
        Assert.SkipWhen(database.ConnectionString is null, "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)");
        return StoreScope.OpenPostgresAsync(database.ConnectionString!);
    }
}
