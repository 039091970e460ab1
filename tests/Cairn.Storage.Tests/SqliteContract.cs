namespace Cairn.Storage.Tests;

/// <summary>The store contract on a fresh SQLite file per test.</summary>
public sealed class SqliteContract : StoreContract
{
    protected override Task<StoreScope> OpenAsync() => StoreScope.OpenSqliteAsync();
}
