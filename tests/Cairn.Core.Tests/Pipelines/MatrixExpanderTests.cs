using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests.Pipelines;

public sealed class MatrixExpanderTests
{
    private static Dictionary<string, string> Entry(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    private static MatrixDefinition Matrix(
        IReadOnlyList<Dictionary<string, string>>? include = null,
        IReadOnlyList<Dictionary<string, string>>? exclude = null) =>
        new(
            [new MatrixAxis("os", ["debian", "alpine"]), new MatrixAxis("dotnet", ["8", "10"])],
            include ?? [],
            exclude ?? []);

    private static List<string> Names(MatrixDefinition matrix, string job = "test") =>
        [.. MatrixExpander.Expand(matrix).Select(c => c.JobName(job))];

    [Fact]
    public void Product_VariesTheFirstAxisSlowest() =>
        Assert.Equal(["test (debian, 8)", "test (debian, 10)", "test (alpine, 8)", "test (alpine, 10)"], Names(Matrix()));

    [Fact]
    public void ExampleMatrix_ExcludesThenAppendsTheIncludeThatMatchesNothing() =>
        Assert.Equal(
            ["test (debian, 8)", "test (debian, 10)", "test (alpine, 10)", "test (debian, 9)"],
            Names(Matrix(include: [Entry(("os", "debian"), ("dotnet", "9"))], exclude: [Entry(("os", "alpine"), ("dotnet", "8"))])));

    [Fact]
    public void Exclude_WithFewerKeys_RemovesEveryMatch() =>
        Assert.Equal(["test (debian, 8)", "test (debian, 10)"], Names(Matrix(exclude: [Entry(("os", "alpine"))])));

    [Fact]
    public void Include_WithNewKeys_ExtendsEveryMatchingCombination()
    {
        var combinations = MatrixExpander.Expand(Matrix(include: [Entry(("os", "alpine"), ("libc", "musl"))]));

        Assert.Equal(4, combinations.Count);
        Assert.Equal("musl", combinations[2].ToDictionary()["libc"]);
        Assert.Equal("musl", combinations[3].ToDictionary()["libc"]);
        Assert.False(combinations[0].ToDictionary().ContainsKey("libc"));
        Assert.Equal(["os", "dotnet", "libc"], combinations[3].Values.Select(v => v.Key));
    }

    [Fact]
    public void Include_ThatMatchesNothing_IsAppended_AxesFirstThenItsOwnKeys()
    {
        var combinations = MatrixExpander.Expand(Matrix(include: [Entry(("extra", "x"), ("os", "windows"))]));

        var added = combinations[^1];
        Assert.Equal(5, combinations.Count);
        Assert.Equal([new("os", "windows"), new("extra", "x")], added.Values);
    }

    [Fact]
    public void MatrixOfOnlyIncludes_HasOneCombinationPerEntry()
    {
        var matrix = new MatrixDefinition([], [Entry(("os", "a")), Entry(("os", "b"))], []);

        Assert.Equal(["t (a)", "t (b)"], Names(matrix, "t"));
    }

    [Fact]
    public void MoreThanTheLimit_IsRefused()
    {
        var big = new MatrixDefinition(
            [new MatrixAxis("x", [.. Enumerable.Range(0, 20).Select(i => $"{i}")]), new MatrixAxis("y", [.. Enumerable.Range(0, 13).Select(i => $"{i}")])],
            [],
            []);
        var limit = new MatrixDefinition([new MatrixAxis("x", [.. Enumerable.Range(0, 256).Select(i => $"{i}")])], [], []);

        Assert.Throws<ArgumentException>(() => MatrixExpander.Expand(big));
        Assert.Equal(256, MatrixExpander.Expand(limit).Count);
    }
}
