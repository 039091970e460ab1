using Cairn.Core.Artifacts;
using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Tests.Artifacts;

public sealed class CacheKeysTests
{
    private static readonly ExpressionContext Context = new(
        new Dictionary<string, string> { ["os"] = "debian" },
        new Dictionary<string, string> { ["TOOL"] = "dotnet" },
        new Dictionary<string, string> { ["tier"] = "gold" });

    private static Task<string> Expand(string template, List<IReadOnlyList<string>>? asked = null) =>
        CacheKeys.ExpandAsync(template, Context, (patterns, _) =>
        {
            asked?.Add(patterns);
            return Task.FromResult($"h[{string.Join("|", patterns)}]");
        }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Key_ReadsMatrixEnvAndInputs_AndAsksForEachHashOnce()
    {
        var asked = new List<IReadOnlyList<string>>();

        var key = await Expand(
            "deps-${{ matrix.os }}-${{ env.TOOL }}-${{ inputs.tier }}-${{ hashFiles('**/*.lock', '!vendor/**') }}-${{ hashFiles('**/*.lock', '!vendor/**') }}-${{ hashFiles('a') }}",
            asked);

        Assert.Equal("deps-debian-dotnet-gold-h[**/*.lock|!vendor/**]-h[**/*.lock|!vendor/**]-h[a]", key);
        Assert.Equal(2, asked.Count);
        Assert.Equal(["**/*.lock", "!vendor/**"], asked[0]);
        Assert.Equal(["a"], asked[1]);
    }

    [Fact]
    public async Task HashFiles_WithRealFiles_GivesTheSameKeyForTheSameFiles()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        first.WriteFile("src/packages.lock.json", "{}");
        second.WriteFile("src/packages.lock.json", "{}");
        const string template = "nuget-${{ matrix.os }}-${{ hashFiles('**/packages.lock.json') }}";

        var one = await CacheKeys.ExpandAsync(template, Context, (p, ct) => FileHashes.ComputeAsync(first.Path, p, ct), TestContext.Current.CancellationToken);
        var two = await CacheKeys.ExpandAsync(template, Context, (p, ct) => FileHashes.ComputeAsync(second.Path, p, ct), TestContext.Current.CancellationToken);

        Assert.Matches("^nuget-debian-[0-9a-f]{64}$", one);
        Assert.Equal(one, two);
    }

    [Fact]
    public async Task AKeyWithoutExpressions_IsKeptAsWritten() =>
        Assert.Equal("nuget-", await Expand("nuget-"));

    [Theory]
    [InlineData("${{ matrix.nothing }}", "expands to nothing")]
    [InlineData("   ", "expands to nothing")]
    [InlineData("k-${{ matrix.os", "is not valid")]
    [InlineData("k-${{ success() }}", "status functions can only be used in if:")]
    [InlineData("k-${{ hashFiles() }}", "hashFiles() needs at least one glob")]
    [InlineData("k-${{ env.MULTILINE }}", "control characters")]
    [InlineData("k-${{ env.LONG }}", "at most 512")]
    public async Task BadTemplatesAndKeys_AreRefusedWithASentence(string template, string expected)
    {
        var context = Context with
        {
            Env = new Dictionary<string, string> { ["MULTILINE"] = "a\nb", ["LONG"] = new string('x', 600) },
        };

        var error = await Assert.ThrowsAsync<FormatException>(() =>
            CacheKeys.ExpandAsync(template, context, (_, _) => Task.FromResult(""), TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HashFiles_OutsideCacheKeys_IsNotExpanded() =>
        Assert.Throws<InvalidOperationException>(() => ExpressionEngine.ExpandTemplate("${{ hashFiles('a') }}", Context));
}
