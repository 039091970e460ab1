using Cairn.Core.Access;

namespace Cairn.Core.Tests.Access;

public sealed class EffectiveRoleTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void A_grant_raises_the_global_role() =>
        Assert.Equal(Role.Maintainer, EffectiveRole.Of(Role.Viewer, [Role.Maintainer], [], repositoryIsPublic: false));

    [Fact]
    public void A_grant_never_lowers_the_global_role() =>
        Assert.Equal(Role.Admin, EffectiveRole.Of(Role.Admin, [Role.Viewer], [Role.Developer], repositoryIsPublic: false));

    [Fact]
    public void The_highest_of_member_and_team_grants_wins() =>
        Assert.Equal(Role.Maintainer, EffectiveRole.Of(Role.Viewer, [Role.Developer], [Role.Maintainer, Role.Viewer], false));

    [Fact]
    public void No_one_signed_in_sees_a_private_repository_but_reads_a_public_one()
    {
        Assert.Null(EffectiveRole.Of(null, [], [], repositoryIsPublic: false));
        Assert.Equal(Role.Viewer, EffectiveRole.Of(null, [], [], repositoryIsPublic: true));
        Assert.Equal(Role.Viewer, EffectiveRole.Of(null, [Role.Admin], [Role.Admin], repositoryIsPublic: true));
    }

    [Fact]
    public void Someone_signed_in_with_no_global_role_holds_what_is_granted_to_them()
    {
        Assert.Equal(Role.Maintainer, EffectiveRole.ForSignedIn(null, [Role.Maintainer], [], repositoryIsPublic: false));
        Assert.Equal(Role.Developer, EffectiveRole.ForSignedIn(null, [], [Role.Developer], repositoryIsPublic: true));
        Assert.Equal(Role.Viewer, EffectiveRole.ForSignedIn(null, [], [], repositoryIsPublic: true));
        Assert.Null(EffectiveRole.ForSignedIn(null, [], [], repositoryIsPublic: false));
        var dana = new UserRecord(4, "dana", null, null, UserSource.Local, At, Disabled: false);
        Assert.Equal(Role.Maintainer, EffectiveRole.Of(dana, [], "acme/widgets", [new("acme/widgets", "dana", Role.Maintainer)], [], false));
    }

    [Fact]
    public void Grants_count_only_for_the_repository_the_user_and_their_groups()
    {
        var alice = new UserRecord(1, "Alice", null, Role.Viewer, UserSource.Local, At, Disabled: false);
        MemberGrant[] members =
        [
            new("acme/widgets", "bob", Role.Admin),
            new("acme/other", "alice", Role.Admin),
            new("ACME/Widgets", "alice", Role.Developer),
        ];
        TeamGrant[] teams = [new("acme/widgets", "ops", Role.Maintainer), new("acme/widgets", "Ops", Role.Admin)];

        Assert.Equal(Role.Developer, EffectiveRole.Of(alice, [], "acme/widgets", members, teams, repositoryIsPublic: false));
        Assert.Equal(Role.Maintainer, EffectiveRole.Of(alice, ["ops"], "acme/widgets", members, teams, repositoryIsPublic: false));
        Assert.Equal(Role.Viewer, EffectiveRole.Of(alice, ["ops"], "acme/third", members, teams, repositoryIsPublic: false));
    }

    [Fact]
    public void A_disabled_user_holds_nothing_a_stranger_does_not()
    {
        var carol = new UserRecord(3, "carol", null, Role.Admin, UserSource.Oidc, At, Disabled: true);
        MemberGrant[] members = [new("acme/widgets", "carol", Role.Admin)];

        Assert.Null(EffectiveRole.Of(carol, ["ops"], "acme/widgets", members, [], repositoryIsPublic: false));
        Assert.Equal(Role.Viewer, EffectiveRole.Of(carol, ["ops"], "acme/widgets", members, [], repositoryIsPublic: true));
    }
}
