using Cairn.Core.Access;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Users, their grants on repositories, team grants and API tokens.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Users_AreCreatedListedAndFound_NamesUniqueWithoutRegardToCase()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();

        var alice = await scope.Store.CreateUserAsync(new NewUser("Alice", "alice@example.com", Role.Developer, UserSource.Local, at), Token);
        var bob = await scope.Store.CreateUserAsync(new NewUser("bob", null, Role.Viewer, UserSource.Oidc, at), Token);
        Assert.Null(await scope.Store.CreateUserAsync(new NewUser("ALICE", null, Role.Admin, UserSource.Github, at), Token));
        await Assert.ThrowsAsync<ArgumentException>(
            () => scope.Store.CreateUserAsync(new NewUser("alice smith", null, Role.Viewer, UserSource.Local, at), Token));

        Assert.Equal(new UserRecord(alice!.Id, "Alice", "alice@example.com", Role.Developer, UserSource.Local, at, false), alice);
        Assert.Equal(alice, await scope.Store.GetUserAsync("aLiCe", Token));
        Assert.Equal(bob, await scope.Store.GetUserByIdAsync(bob!.Id, Token));
        Assert.Null(await scope.Store.GetUserAsync("carol", Token));
        Assert.Equal(["Alice", "bob"], (await scope.Store.ListUsersAsync(Token)).Select(u => u.Name));

        Assert.True(await scope.Store.SetUserRoleAsync("BOB", Role.Maintainer, Token));
        Assert.True(await scope.Store.SetUserDisabledAsync("bob", true, Token));
        Assert.False(await scope.Store.SetUserRoleAsync("carol", Role.Admin, Token));
        Assert.Equal(bob with { Role = Role.Maintainer, Disabled = true }, await scope.Store.GetUserAsync("bob", Token));
    }

    [Fact]
    public async Task Grants_AreSetReplacedAndRemoved_AndRaiseTheUsersRoleOnTheirRepository()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var alice = await scope.Store.CreateUserAsync(new NewUser("alice", null, Role.Viewer, UserSource.Local, at), Token);
        await scope.Store.CreateUserAsync(new NewUser("Bob", null, Role.Viewer, UserSource.Local, at), Token);

        Assert.True(await scope.Store.SetMemberAsync("Acme/Widgets", "ALICE", Role.Developer, Token));
        Assert.True(await scope.Store.SetMemberAsync("acme/widgets", "alice", Role.Maintainer, Token));
        Assert.True(await scope.Store.SetMemberAsync("acme/widgets", "bob", Role.Viewer, Token));
        Assert.True(await scope.Store.SetMemberAsync("acme/gadgets", "alice", Role.Admin, Token));
        Assert.False(await scope.Store.SetMemberAsync("acme/widgets", "nobody", Role.Admin, Token));
        await scope.Store.SetTeamGrantAsync("acme/widgets", "ops", Role.Developer, Token);
        await scope.Store.SetTeamGrantAsync("ACME/widgets", "ops", Role.Admin, Token);
        await scope.Store.SetTeamGrantAsync("acme/widgets", "Ops", Role.Viewer, Token);

        Assert.Equal(
            [new MemberGrant("acme/widgets", "alice", Role.Maintainer), new MemberGrant("acme/widgets", "Bob", Role.Viewer)],
            await scope.Store.ListMembersAsync("ACME/WIDGETS", Token));
        Assert.Equal(
            [new MemberGrant("acme/gadgets", "alice", Role.Admin), new MemberGrant("acme/widgets", "alice", Role.Maintainer)],
            await scope.Store.ListGrantsOfUserAsync("Alice", Token));
        var teams = await scope.Store.ListTeamGrantsAsync("acme/widgets", Token);
        Assert.Equal([new TeamGrant("acme/widgets", "Ops", Role.Viewer), new TeamGrant("ACME/widgets", "ops", Role.Admin)], teams.OrderBy(t => t.Group, StringComparer.Ordinal));

        var members = await scope.Store.ListMembersAsync("acme/widgets", Token);
        Assert.Equal(Role.Maintainer, EffectiveRole.Of(alice, [], "acme/widgets", members, teams, repositoryIsPublic: false));
        Assert.Equal(Role.Admin, EffectiveRole.Of(alice, ["ops"], "acme/widgets", members, teams, repositoryIsPublic: false));

        Assert.True(await scope.Store.RemoveMemberAsync("acme/WIDGETS", "alice", Token));
        Assert.False(await scope.Store.RemoveMemberAsync("acme/widgets", "alice", Token));
        Assert.True(await scope.Store.RemoveTeamGrantAsync("acme/widgets", "ops", Token));
        Assert.False(await scope.Store.RemoveTeamGrantAsync("acme/widgets", "ops", Token));
        Assert.Equal([new MemberGrant("acme/widgets", "Bob", Role.Viewer)], await scope.Store.ListMembersAsync("acme/widgets", Token));
        Assert.Equal([new TeamGrant("acme/widgets", "Ops", Role.Viewer)], await scope.Store.ListTeamGrantsAsync("acme/widgets", Token));
    }

    [Fact]
    public async Task ApiTokens_AreStoredAsHashes_VerifyUntilRevokedOrExpired_AndNoteWhenLastUsed()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var alice = await scope.Store.CreateUserAsync(new NewUser("alice", null, Role.Developer, UserSource.Local, at), Token);
        var (value, made) = ApiTokens.Create(alice!.Id, "deploy", TokenScope.Read | TokenScope.Trigger, at, TimeSpan.FromDays(30));
        var (other, madeOther) = ApiTokens.Create(alice.Id, "nightly", TokenScope.Read, at.AddMinutes(1), null);

        var created = await scope.Store.CreateApiTokenAsync(made, Token);
        await scope.Store.CreateApiTokenAsync(madeOther, Token);
        Assert.Null(await scope.Store.CreateApiTokenAsync(ApiTokens.Create(alice.Id + 100, "x", TokenScope.Read, at, null).Token, Token));
        Assert.Equal((made.Id, alice.Id, "deploy", made.Scopes, at, at.AddDays(30)), (created!.Id, created.UserId, created.Name, created.Scopes, created.CreatedAt, created.ExpiresAt));
        Assert.Equal(made.Hash, created.Hash);
        Assert.Equal(0, scope.Scalar($"SELECT count(*) FROM api_tokens WHERE name LIKE '%{value[6..]}%' OR scopes LIKE '%{value[14..]}%'"));
        Assert.Equal(["nightly", "deploy"], (await scope.Store.ListApiTokensAsync(alice.Id, Token)).Select(t => t.Name));

        scope.Time.Advance(TimeSpan.FromHours(1));
        var used = await scope.Store.AuthenticateApiTokenAsync(value, scope.Time.GetUtcNow(), Token);
        Assert.Equal((made.Id, alice), (used!.Value.Token.Id, used.Value.User));
        Assert.Equal(scope.Time.GetUtcNow(), (await scope.Store.GetApiTokenAsync(made.Id, Token))!.LastUsedAt);
        Assert.Null((await scope.Store.GetApiTokenAsync(madeOther.Id, Token))!.LastUsedAt);

        Assert.Null(await scope.Store.AuthenticateApiTokenAsync(value[..^1] + (value[^1] == 'x' ? 'y' : 'x'), scope.Time.GetUtcNow(), Token));
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync("cairn_" + madeOther.Id + value[14..], scope.Time.GetUtcNow(), Token));
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync("not a token", scope.Time.GetUtcNow(), Token));
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync(value, at.AddDays(30), Token));

        Assert.True(await scope.Store.RevokeApiTokenAsync(made.Id, scope.Time.GetUtcNow(), Token));
        Assert.False(await scope.Store.RevokeApiTokenAsync(made.Id, scope.Time.GetUtcNow(), Token));
        Assert.Equal(scope.Time.GetUtcNow(), (await scope.Store.GetApiTokenAsync(made.Id, Token))!.RevokedAt);
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync(value, scope.Time.GetUtcNow(), Token));
        Assert.NotNull(await scope.Store.AuthenticateApiTokenAsync(other, scope.Time.GetUtcNow(), Token));

        Assert.True(await scope.Store.SetUserDisabledAsync("alice", true, Token));
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync(other, scope.Time.GetUtcNow(), Token));
    }

    [Fact]
    public async Task DeletingAUser_RevokesTheirTokensAndRemovesTheirGrants_AndTheirIdIsNeverGivenAgain()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        var alice = await scope.Store.CreateUserAsync(new NewUser("alice", null, Role.Viewer, UserSource.Local, at), Token);
        var bob = await scope.Store.CreateUserAsync(new NewUser("bob", null, Role.Viewer, UserSource.Local, at), Token);
        var (value, made) = ApiTokens.Create(bob!.Id, "ci", TokenScope.Admin, at, null);
        var (kept, madeKept) = ApiTokens.Create(alice!.Id, "ci", TokenScope.Admin, at, null);
        await scope.Store.CreateApiTokenAsync(made, Token);
        await scope.Store.CreateApiTokenAsync(madeKept, Token);
        await scope.Store.SetMemberAsync("acme/widgets", "bob", Role.Admin, Token);
        await scope.Store.SetMemberAsync("acme/widgets", "alice", Role.Developer, Token);

        scope.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await scope.Store.DeleteUserAsync("BOB", scope.Time.GetUtcNow(), Token));
        Assert.False(await scope.Store.DeleteUserAsync("bob", scope.Time.GetUtcNow(), Token));

        Assert.Null(await scope.Store.GetUserAsync("bob", Token));
        Assert.Equal(["alice"], (await scope.Store.ListUsersAsync(Token)).Select(u => u.Name));
        Assert.Equal([new MemberGrant("acme/widgets", "alice", Role.Developer)], await scope.Store.ListMembersAsync("acme/widgets", Token));
        Assert.Equal(0, scope.Scalar($"SELECT count(*) FROM repository_members WHERE user_id = {bob.Id}"));
        Assert.Equal(scope.Time.GetUtcNow(), (await scope.Store.GetApiTokenAsync(made.Id, Token))!.RevokedAt);
        Assert.Null(await scope.Store.AuthenticateApiTokenAsync(value, scope.Time.GetUtcNow(), Token));
        Assert.NotNull(await scope.Store.AuthenticateApiTokenAsync(kept, scope.Time.GetUtcNow(), Token));

        var again = await scope.Store.CreateUserAsync(new NewUser("Bob", null, Role.Viewer, UserSource.Local, at), Token);
        Assert.NotEqual(bob.Id, again!.Id);
        Assert.Empty(await scope.Store.ListApiTokensAsync(again.Id, Token));
        Assert.Empty(await scope.Store.ListGrantsOfUserAsync("bob", Token));
    }

    [Fact]
    public async Task DeletingARepository_RemovesItsMembersAndTeamGrants()
    {
        await using var scope = await OpenAsync();
        await scope.Store.CreateUserAsync(new NewUser("alice", null, Role.Viewer, UserSource.Local, scope.Time.GetUtcNow()), Token);
        Assert.True(await scope.Store.AddRepositoryAsync(Repository(scope, "acme/widgets"), Token));
        await scope.Store.SetMemberAsync("acme/widgets", "alice", Role.Maintainer, Token);
        await scope.Store.SetMemberAsync("acme/gadgets", "alice", Role.Developer, Token);
        await scope.Store.SetTeamGrantAsync("acme/widgets", "ops", Role.Admin, Token);

        Assert.True(await scope.Store.DeleteRepositoryAsync("Acme/Widgets", Token));

        Assert.Empty(await scope.Store.ListMembersAsync("acme/widgets", Token));
        Assert.Empty(await scope.Store.ListTeamGrantsAsync("acme/widgets", Token));
        Assert.Equal([new MemberGrant("acme/gadgets", "alice", Role.Developer)], await scope.Store.ListGrantsOfUserAsync("alice", Token));
    }
}
