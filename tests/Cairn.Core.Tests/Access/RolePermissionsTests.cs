using Cairn.Core.Access;

namespace Cairn.Core.Tests.Access;

public sealed class RolePermissionsTests
{
    [Theory]
    [InlineData(Permission.ReadRuns, Role.Viewer)]
    [InlineData(Permission.Trigger, Role.Developer)]
    [InlineData(Permission.Cancel, Role.Developer)]
    [InlineData(Permission.Rerun, Role.Developer)]
    [InlineData(Permission.Approve, Role.Developer)]
    [InlineData(Permission.ManageRepositorySettings, Role.Maintainer)]
    [InlineData(Permission.ManageRepositorySecrets, Role.Maintainer)]
    [InlineData(Permission.ManageMembers, Role.Maintainer)]
    [InlineData(Permission.ManageUsers, Role.Admin)]
    [InlineData(Permission.ManageGlobalSecrets, Role.Admin)]
    [InlineData(Permission.ManageWorkers, Role.Admin)]
    [InlineData(Permission.ReadAllAudit, Role.Admin)]
    public void Each_action_needs_its_role_and_the_roles_above_it_may_do_it(Permission permission, Role needed)
    {
        Assert.Equal(needed, RolePermissions.Required(permission));
        foreach (var role in Enum.GetValues<Role>())
        {
            Assert.Equal(role >= needed, RolePermissions.Allows(role, permission));
        }

        Assert.False(RolePermissions.Allows(null, permission));
    }

    [Fact]
    public void Every_permission_has_a_rule() =>
        Assert.All(Enum.GetValues<Permission>(), p => Assert.True(Enum.IsDefined(RolePermissions.Required(p))));

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Developer, "developer")]
    [InlineData(Role.Maintainer, "maintainer")]
    [InlineData(Role.Admin, "admin")]
    public void Roles_have_wire_names_that_read_back(Role role, string wire)
    {
        Assert.Equal(wire, role.ToWire());
        Assert.True(RoleNames.TryParse(wire.ToUpperInvariant(), out var read));
        Assert.Equal(role, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("owner")]
    [InlineData("1")]
    public void Anything_else_is_not_a_role(string? wire)
    {
        Assert.False(RoleNames.TryParse(wire, out _));
        Assert.Throws<FormatException>(() => RoleNames.Parse(wire ?? ""));
    }

    [Fact]
    public void Roles_are_ordered_from_least_to_most() =>
        Assert.Equal([Role.Viewer, Role.Developer, Role.Maintainer, Role.Admin], Enum.GetValues<Role>().Order());
}
