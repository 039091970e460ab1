using Cairn.Core.Forges;

namespace Cairn.Forges.Tests;

public sealed class ForgeCatalogTests
{
    [Theory]
    [InlineData(ForgeKind.GitHub, "https://api.github.com")]
    [InlineData(ForgeKind.GitLab, "https://gitlab.com/api/v4")]
    [InlineData(ForgeKind.Gitea, "https://gitea.com/api/v1")]
    [InlineData(ForgeKind.Bitbucket, "https://api.bitbucket.org")]
    public void Get_GivesEachForge_WithItsPublicApi(ForgeKind kind, string apiUrl)
    {
        using var catalog = ForgeCatalog.Create(TimeProvider.System);

        var forge = catalog.Get(kind);

        Assert.Equal(kind, forge.Kind);
        Assert.Equal(apiUrl, forge.DefaultApiUrl);
    }

    [Fact]
    public void All_HoldsEveryForgeOnce()
    {
        using var catalog = ForgeCatalog.Create(TimeProvider.System);

        Assert.Equal(Enum.GetValues<ForgeKind>(), catalog.All.Select(f => f.Kind).Order());
    }

    [Fact]
    public void Forgejo_IsServedByTheGiteaForge()
    {
        using var catalog = ForgeCatalog.Create(TimeProvider.System);

        Assert.True(ForgeNames.TryParse("forgejo", out var kind));
        Assert.Equal(ForgeKind.Gitea, catalog.Get(kind).Kind);
    }

    [Fact]
    public async Task AHandlerGiven_StaysTheCallers_AfterTheCatalogIsDisposed()
    {
        using var handler = new SocketsHttpHandler();
        new ForgeCatalog(handler, TimeProvider.System).Dispose();
        using var http = new HttpClient(handler, disposeHandler: false);

        // A disposed handler would throw ObjectDisposedException; a live one tries, and finds nobody listening.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(Statuses.StatusTestKit.RefusingUrl()), TestContext.Current.CancellationToken));
    }
}
