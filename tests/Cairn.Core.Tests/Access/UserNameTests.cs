using Cairn.Core.Access;

namespace Cairn.Core.Tests.Access;

public sealed class UserNameTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("Alice.Smith")]
    [InlineData("alice+ci@example.com")]
    [InlineData("svc_deploy-2")]
    [InlineData("7of9")]
    public void User_names_and_email_addresses_keep_the_rule(string name) => Assert.Null(UserName.Check(name));

    [Theory]
    [InlineData(null, "is needed")]
    [InlineData("", "is needed")]
    [InlineData(".alice", "does not start with a letter or digit")]
    [InlineData("-alice", "does not start with a letter or digit")]
    [InlineData("alice smith", "holds a character other than")]
    [InlineData("alice/bob", "holds a character other than")]
    [InlineData("al\u00efce", "holds a character other than")]
    [InlineData("alice\n", "holds a character other than")]
    public void Other_names_are_refused_with_a_reason(string? name, string reason) =>
        Assert.Contains(reason, UserName.Check(name), StringComparison.Ordinal);

    [Fact]
    public void A_name_has_at_most_a_hundred_characters()
    {
        Assert.Null(UserName.Check(new string('a', UserName.MaxLength)));
        Assert.Equal("is longer than 100 characters", UserName.Check(new string('a', UserName.MaxLength + 1)));
    }
}
