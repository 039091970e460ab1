using Cairn.Core.Secrets;

namespace Cairn.Storage.Portable;

/// <summary>The dashboard's key ring (<see cref="IDashboardKeyStore"/>) in SQL both dialects run as written.</summary>
internal sealed class DashboardKeyRecords(IStatementRunner database) : IDashboardKeyStore
{
    private const string EveryKey = "SELECT element FROM dashboard_keys ORDER BY created_at, name;";

    private const string SaveKey = """
        INSERT INTO dashboard_keys (name, element, created_at) VALUES (@name, @element, @at)
        ON CONFLICT (name) DO UPDATE SET element = excluded.element;
        """;

    public async Task<IReadOnlyList<string>> ListDashboardKeysAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(EveryKey, _ => { }, row => row.GetString(0), cancellationToken);

    public async Task SaveDashboardKeyAsync(string name, string element, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(element);
        await database.ExecuteAsync(
            SaveKey,
            command => command.Bind("@name", name).Bind("@element", element).Bind("@at", RecordRows.ToMillis(at)),
            cancellationToken);
    }
}
