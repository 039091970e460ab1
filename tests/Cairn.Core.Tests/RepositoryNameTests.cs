using Cairn.Core.Repositories;

namespace Cairn.Core.Tests;

public sealed class RepositoryNameTests
{
    [Theory]
    [InlineData("octo/app")]
    [InlineData("Octo-Org/app.js")]
    [InlineData("group/sub/project")]
    [InlineData("a/b/c/d/e")]
    [InlineData("user_1/.dotfiles")]
    [InlineData("octo/app..old")]
    public void Full_names_and_gitlab_subgroups_keep_the_rule(string name) => Assert.Null(RepositoryName.Check(name));

    [Theory]
    [InlineData(null, "is needed")]
    [InlineData("", "is needed")]
    [InlineData("app", "not a repository's full name")]
    [InlineData("..", "not a repository's full name")]
    [InlineData("../..", "'../..' has a '..' part")]
    [InlineData("octo/.", "'octo/.' has a '.' part")]
    [InlineData("./octo/app", "has a '.' part")]
    [InlineData("a//b", "has an empty part")]
    [InlineData("/a/b", "has an empty part")]
    [InlineData("a/b/", "has an empty part")]
    [InlineData("a\\b/c", "holds a backslash")]
    [InlineData("a/b c", "holds whitespace")]
    [InlineData("a/b\u00a0c", "holds whitespace")]
    [InlineData("a/b\tc", "holds a control character")]
    [InlineData("a/b\u001b[2K", @"'a/b\u001b[2K' holds a control character")]
    [InlineData("a/b\u009b2K", @"'a/b\u009b2K' holds a control character")]
    [InlineData("a/b\u0000", "holds a control character")]
    [InlineData("a/b%2e%2e", "holds '%'")]
    [InlineData("a/café", "holds U+00E9")]
    public void Names_a_path_would_resolve_elsewhere_are_refused_naming_the_rule(string? name, string rule)
    {
        var problem = RepositoryName.Check(name);

        Assert.NotNull(problem);
        Assert.Contains(rule, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(problem, char.IsControl);
        Assert.False(RepositoryName.IsValid(name));
    }

    [Fact]
    public void A_lone_surrogate_is_refused_and_never_quoted_raw()
    {
        var problem = RepositoryName.Check("a/b" + '\ud800');

        Assert.Equal(@"'a/b\ud800' holds U+D800; each part of a full name is ASCII letters, digits, '.', '-' and '_'", problem);
    }

    [Fact]
    public void Names_are_at_most_256_characters()
    {
        Assert.True(RepositoryName.IsValid("o/" + new string('a', 254)));
        Assert.Contains("at most 256", RepositoryName.Check("o/" + new string('a', 255)), StringComparison.Ordinal);
    }
}
