using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Authorization;

/// <summary>An install from before there were users has the admin token's hash and no user: the first start with users
/// binds the token to a new admin, and the token opens everything it did.</summary>
public sealed class AdminTokenUpgradeTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task A_store_with_the_admin_tokens_hash_and_no_users_keeps_the_token_as_the_first_admins()
    {
        // The state an older server left: the hash setting and the token's file, written as it wrote them; no user.
        var (settings, errors) = ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?>(), new Dictionary<string, string?> { ["Data"] = data.Path }), data.Path);
        Assert.True(settings is not null, string.Join("; ", errors));
        await using (var store = await ServerStore.OpenAsync(settings, TimeProvider.System, CancellationToken.None))
        {
            await AdminToken.EnsureAsync(store, data.Path, rotate: false, CancellationToken.None);
            Assert.NotNull(await store.GetSettingAsync(AdminToken.SettingKey, CancellationToken.None));
            Assert.Null(await store.GetSettingAsync(AdminToken.UserSettingKey, CancellationToken.None));
            Assert.Null(await store.GetUserAsync(AdminToken.FirstAdmin, CancellationToken.None));
        }

        var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, AdminToken.FileName))).Trim();
        await using var server = await ServerHarness.StartAsync(data.Path);

        Assert.Equal(token, server.Token);
        var admin = await server.Services.GetRequiredService<IUserStore>().GetUserAsync(AdminToken.FirstAdmin, CancellationToken.None);
        Assert.NotNull(admin);
        Assert.Equal(Role.Admin, admin.Role);
        var users = await server.Client.GetFromJsonAsync<Page<UserView>>("/api/v1/users");
        Assert.Contains(users!.Items, u => u.Name == AdminToken.FirstAdmin && u.Role == "admin");
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "acme/kept", forge = "github", cloneUrl = "https://example.invalid/kept.git" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var me = await server.Client.GetFromJsonAsync<MeView>("/api/v1/me");
        Assert.Equal((AdminToken.FirstAdmin, "admin", "admin-token"), (me!.Name, me.Role, me.Method));
        var audit = (await server.Client.GetFromJsonAsync<Page<AuditView>>($"/api/v1/audit?action={AuditActions.RepositoryAdded}"))!.Items;
        Assert.Contains(audit, e => e.Repository == "acme/kept" && e.Actor == AdminToken.FirstAdmin);
    }
}
