using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("oss", "os")]
    [InlineData("OS", "os")]
    [InlineData("dotnt", "dotnet")]
    [InlineData("tagret", "target")]
    [InlineData("Target", "target")]
    [InlineData("tragte", "target")]
    [InlineData("trgt", null)]
    [InlineData("x", null)]
    [InlineData("arch", null)]
    [InlineData("os", null)]
    public void Closest_SuggestsOnlyNearNames(string name, string? expected)
    {
        Assert.Equal(expected, Suggestions.Closest(name, ["os", "dotnet", "target"]));
    }

    [Fact]
    public void Closest_PrefersTheNearest_ThenTheFirstListed()
    {
        Assert.Equal("build", Suggestions.Closest("buidl", ["built", "build"]));
        Assert.Equal("tests", Suggestions.Closest("test", ["tests", "tent"]));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ab", "ba", 1)]
    [InlineData("deploy", "depoly", 1)]
    public void EditDistance_CountsInsertionsDeletionsSubstitutionsAndSwaps(string a, string b, int expected)
    {
        Assert.Equal(expected, Suggestions.EditDistance(a, b));
        Assert.Equal(expected, Suggestions.EditDistance(b, a));
    }
}
