using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>The dashboard's key ring, shared by every server on the database.</summary>
public abstract partial class CairnStore
{
    private readonly DashboardKeyRecords _dashboardKeys;

    public Task<IReadOnlyList<string>> ListDashboardKeysAsync(CancellationToken cancellationToken) =>
        _dashboardKeys.ListDashboardKeysAsync(cancellationToken);

    public Task SaveDashboardKeyAsync(string name, string element, DateTimeOffset at, CancellationToken cancellationToken) =>
        _dashboardKeys.SaveDashboardKeyAsync(name, element, at, cancellationToken);
}
