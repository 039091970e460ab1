using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The dashboard's key ring: elements kept by name, oldest first, seen by every store on the database.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task DashboardKeys_AreKeptByName_OldestFirst_AndSeenByAnotherStore()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();
        Assert.Empty(await scope.Store.ListDashboardKeysAsync(Token));

        await scope.Store.SaveDashboardKeyAsync("key-b", "<key id=\"b\" />", scope.Time.GetUtcNow(), Token);
        scope.Time.Advance(TimeSpan.FromMinutes(1));
        await other.SaveDashboardKeyAsync("key-a", "<key id=\"a\" />", scope.Time.GetUtcNow(), Token);
        await scope.Store.SaveDashboardKeyAsync("key-b", "<key id=\"b\" revoked=\"true\" />", scope.Time.GetUtcNow(), Token);

        Assert.Equal(["<key id=\"b\" revoked=\"true\" />", "<key id=\"a\" />"], await other.ListDashboardKeysAsync(Token));
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM dashboard_keys"));
    }
}
