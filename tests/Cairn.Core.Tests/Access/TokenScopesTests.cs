using Cairn.Core.Access;

namespace Cairn.Core.Tests.Access;

public sealed class TokenScopesTests
{
    [Theory]
    [InlineData(TokenScope.Read, Role.Admin, Role.Viewer)]
    [InlineData(TokenScope.Trigger, Role.Admin, Role.Developer)]
    [InlineData(TokenScope.Read | TokenScope.Trigger, Role.Maintainer, Role.Developer)]
    [InlineData(TokenScope.Admin, Role.Maintainer, Role.Maintainer)]
    [InlineData(TokenScope.Admin, Role.Viewer, Role.Viewer)]
    [InlineData(TokenScope.Trigger, Role.Viewer, Role.Viewer)]
    [InlineData(TokenScope.Admin, Role.Admin, Role.Admin)]
    public void A_token_holds_the_lower_of_its_scopes_ceiling_and_its_users_role(TokenScope scopes, Role user, Role expected) =>
        Assert.Equal(expected, TokenScopes.Effective(scopes, user));

    [Fact]
    public void A_token_loses_what_its_user_loses()
    {
        Assert.Null(TokenScopes.Effective(TokenScope.Admin, null));
        Assert.Null(TokenScopes.Effective(TokenScope.None, Role.Admin));
    }

    [Fact]
    public void Scopes_read_back_from_their_wire_names()
    {
        var all = TokenScope.Read | TokenScope.Trigger | TokenScope.Admin;
        Assert.Equal("read,trigger,admin", TokenScopes.ToWire(all));
        Assert.Equal(all, TokenScopes.Parse("read,trigger,admin"));
        Assert.True(TokenScopes.TryParse(["trigger", "read", "read"], out var scopes, out var error));
        Assert.Equal(TokenScope.Read | TokenScope.Trigger, scopes);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(new string[0], "at least one scope")]
    [InlineData(new[] { "read", "write" }, "'write' is not a token scope")]
    [InlineData(new[] { "Admin" }, "'Admin' is not a token scope")]
    public void Unknown_or_missing_scopes_are_refused_with_a_reason(string[] wires, string reason)
    {
        Assert.False(TokenScopes.TryParse(wires, out var scopes, out var error));
        Assert.Equal(TokenScope.None, scopes);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
