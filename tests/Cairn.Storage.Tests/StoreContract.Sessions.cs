using Cairn.Core.Access;
using Cairn.Core.Repositories;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Dashboard sessions, users known by their identity provider's id, users with no global role, and public
/// repositories.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Sessions_AreKeptTouchedAndEnded_AndAUsersRemovalEndsTheirs()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var alice = await scope.Store.CreateUserAsync(new NewUser("alice", null, Role.Viewer, UserSource.Oidc, at), Token);
        var bob = await scope.Store.CreateUserAsync(new NewUser("bob", null, Role.Viewer, UserSource.Local, at), Token);
        var first = new SessionRecord("a1", alice!.Id, ["ci-admins", "devs"], "oidc", at, at, null);
        var scoped = new SessionRecord("a2", alice.Id, [], "token", at, at, null) { Scopes = TokenScope.Read | TokenScope.Trigger };
        var bobs = new SessionRecord("b1", bob!.Id, [], "token", at, at, null);
        await scope.Store.CreateSessionAsync(first, Token);
        await scope.Store.CreateSessionAsync(scoped, Token);
        await scope.Store.CreateSessionAsync(bobs, Token);

        var read = await scope.Store.GetSessionAsync("a1", Token);
        Assert.Equal(["ci-admins", "devs"], read!.Groups);
        Assert.Equal(first with { Groups = read.Groups }, read);
        Assert.Equal(TokenScope.Read | TokenScope.Trigger, (await scope.Store.GetSessionAsync("a2", Token))!.Scopes);
        Assert.Null((await scope.Store.GetSessionAsync("b1", Token))!.Scopes);
        Assert.Null(await scope.Store.GetSessionAsync("nope", Token));

        var later = at.AddMinutes(5);
        await scope.Store.TouchSessionAsync("a1", later, Token);
        await scope.Store.TouchSessionAsync("a1", at, Token);
        Assert.Equal(later, (await scope.Store.GetSessionAsync("a1", Token))!.SeenAt);

        Assert.True(await scope.Store.EndSessionAsync("a1", later, Token));
        Assert.False(await scope.Store.EndSessionAsync("a1", later, Token));
        Assert.Equal(later, (await scope.Store.GetSessionAsync("a1", Token))!.EndedAt);

        Assert.True(await scope.Store.DeleteUserAsync("alice", later, Token));
        Assert.Equal(later, (await scope.Store.GetSessionAsync("a2", Token))!.EndedAt);
        Assert.Null((await scope.Store.GetSessionAsync("b1", Token))!.EndedAt);
        Assert.Equal(1, await scope.Store.EndSessionsOfUserAsync(bob.Id, later, Token));

        Assert.Equal(3, await scope.Store.DeleteSessionsBeforeAsync(later.AddSeconds(1), Token));
        Assert.Null(await scope.Store.GetSessionAsync("b1", Token));
    }

    [Fact]
    public async Task Users_AreFoundByTheirProvidersId_AndMayHoldNoGlobalRole()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var carol = await scope.Store.CreateUserAsync(new NewUser("carol", "carol@example.com", null, UserSource.Oidc, at, "sub-123"), Token);
        await scope.Store.CreateUserAsync(new NewUser("carol2", null, Role.Viewer, UserSource.Github, at, "sub-123"), Token);

        Assert.Null(carol!.Role);
        Assert.Equal("sub-123", carol.ExternalId);
        Assert.Equal(carol, await scope.Store.GetUserByExternalIdAsync(UserSource.Oidc, "sub-123", Token));
        Assert.Equal("carol2", (await scope.Store.GetUserByExternalIdAsync(UserSource.Github, "sub-123", Token))!.Name);
        Assert.Null(await scope.Store.GetUserByExternalIdAsync(UserSource.Oidc, "sub-999", Token));
        Assert.Null(await scope.Store.CreateUserAsync(new NewUser("dave", null, null, UserSource.Oidc, at, "sub-123"), Token));

        Assert.True(await scope.Store.SetUserRoleAsync("carol", Role.Developer, Token));
        Assert.True(await scope.Store.SetUserRoleAsync("carol", null, Token));
        Assert.Null((await scope.Store.GetUserAsync("carol", Token))!.Role);
    }

    [Fact]
    public async Task Repositories_AreMadePublicAndPrivate()
    {
        await using var scope = await OpenAsync();
        Assert.True(await scope.Store.AddRepositoryAsync(Repository(scope, "acme/site") with { Public = true }, Token));
        Assert.True(await scope.Store.AddRepositoryAsync(Repository(scope, "acme/app"), Token));

        Assert.True((await scope.Store.GetRepositoryAsync("acme/site", Token))!.Public);
        Assert.False((await scope.Store.GetRepositoryAsync("acme/app", Token))!.Public);

        var changed = await scope.Store.UpdateRepositoryAsync("acme/site", new RepositorySettingsChange(Public: false), Token);
        Assert.False(changed!.Public);
        Assert.True((await scope.Store.UpdateRepositoryAsync("acme/app", new RepositorySettingsChange(Public: true), Token))!.Public);
    }
}
