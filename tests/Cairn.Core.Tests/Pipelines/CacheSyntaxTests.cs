using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests.Pipelines;

public sealed class CacheSyntaxTests
{
    private static string Cache(string cache) =>
        $"on: {{ manual: {{ inputs: {{ tier: {{ default: a }} }} }} }}\njobs:\n  test:\n    matrix: {{ os: [debian] }}\n    cache: {cache}\n    steps: [{{ run: make }}]\n";

    private static List<string> Errors(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.False(result.IsValid);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Theory]
    [InlineData("{ key: \"deps-${{ matrix.os }}-${{ inputs.tier }}-${{ env.HOME }}\", paths: [node_modules] }")]
    [InlineData("[{ key: a, paths: [x] }, { key: b, paths: [\"~/.cache/pip\", build/obj] }]")]
    [InlineData("{ key: \"x-${{ hashFiles('**/*.lock', '!vendor/**') }}\", paths: [x], restore-keys: [\"x-${{ matrix.os }}-\", x-] }")]
    public void GoodCaches_Validate(string cache)
    {
        var result = PipelineLoader.Load(Cache(cache), "ci.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("{ paths: [x] }", "ci.yml:5:12: error: a cache of job 'test' has no 'key'; give one, like key: nuget-${{ hashFiles('**/packages.lock.json') }}")]
    [InlineData("{ key: k }", "ci.yml:5:12: error: a cache of job 'test' has no 'paths'; give the folders to keep, like paths: [~/.nuget/packages]")]
    [InlineData("{ key: \"\", paths: [x] }", "ci.yml:5:19: error: a cache's 'key' in job 'test' is empty; give one, like key: nuget-${{ hashFiles('**/packages.lock.json') }}")]
    [InlineData("{ key: k, paths: [] }", "ci.yml:5:29: error: a cache's 'paths' in job 'test' is empty; give at least one folder, like [node_modules]")]
    [InlineData("{ key: k, paths: [/root/.m2] }", "ci.yml:5:30: error: cache path '/root/.m2' is absolute; write it relative to the workspace or under the steps' home, like node_modules or ~/.nuget/packages")]
    [InlineData("{ key: k, paths: [\"~/../x\"] }", "ci.yml:5:30: error: cache path '~/../x' leaves the workspace: '..' is not allowed")]
    [InlineData("{ key: k, paths: [a/../../b] }", "ci.yml:5:30: error: cache path 'a/../../b' leaves the workspace: '..' is not allowed")]
    [InlineData("{ key: k, paths: [\"~/\"] }", "ci.yml:5:30: error: cache path '~/' is the whole home folder, which is too broad; name a folder under it, like ~/.nuget/packages")]
    [InlineData("{ key: k, paths: [\"~root/x\"] }", "ci.yml:5:30: error: cache path '~root/x' names another user's home; write ~/ followed by a folder under the steps' home, like ~/.cache/pip")]
    [InlineData("{ key: k, paths: [x], restore-keys: [\"\"] }", "ci.yml:5:49: error: a restore key cannot be empty: it would restore any cache of the repository")]
    [InlineData("{ key: k, paths: [x], restore_keys: [a] }", "ci.yml:5:34: error: unknown key 'restore_keys' in a cache of job 'test'; did you mean 'restore-keys'?")]
    [InlineData("{ key: \"k-${{ matrix.arch }}\", paths: [x] }", "ci.yml:5:33: error: unknown matrix key 'arch' (keys: os)")]
    [InlineData("{ key: \"k-${{ hashFiles() }}\", paths: [x] }", "ci.yml:5:26: error: hashFiles() needs at least one glob, like hashFiles('**/packages.lock.json')")]
    [InlineData("{ key: \"k-${{ hashFiles(matrix.os) }}\", paths: [x] }", "ci.yml:5:36: error: hashFiles() takes quoted globs, like hashFiles('**/packages.lock.json')")]
    [InlineData("{ key: \"k-${{ hashFiles('/etc/passwd') }}\", paths: [x] }", "ci.yml:5:36: error: hashFiles() glob '/etc/passwd' is absolute; write it relative to the workspace, like dist/**")]
    [InlineData("{ key: \"k-${{ hashfiles('a') }}\", paths: [x] }", "ci.yml:5:26: error: unknown function 'hashfiles'; did you mean hashFiles()?")]
    [InlineData("{ key: \"k-${{ success() }}\", paths: [x] }", "ci.yml:5:26: error: status functions such as success() can only be used in if:")]
    [InlineData("[{ key: k, paths: [a] }, { key: k, paths: [b] }]", "ci.yml:5:44: error: cache key 'k' is given twice in job 'test' (first at 5:20); each cache needs its own key")]
    [InlineData("[]", "ci.yml:5:12: error: 'cache' of job 'test' is empty; remove it or give a cache like { key: deps, paths: [node_modules] }")]
    [InlineData("node_modules", "ci.yml:5:12: error: 'cache' of job 'test' must be a cache or a list of them, like { key: deps, paths: [node_modules] }")]
    public void BadCache_IsAnErrorAtItsPlace(string cache, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(Cache(cache))));

    [Fact]
    public void AtMostSixteenCaches_PerJob()
    {
        var caches = string.Join(", ", Enumerable.Range(1, 17).Select(i => $"{{ key: k{i}, paths: [p{i}] }}"));

        var error = Assert.Single(Errors(Cache($"[{caches}]")));

        Assert.StartsWith("ci.yml:5:", error, StringComparison.Ordinal);
        Assert.EndsWith("error: job 'test' has 17 caches; at most 16 are allowed", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jobs:\n  a:\n    env: { K: \"${{ hashFiles('x') }}\" }\n    steps: [{ run: make }]\n", "ci.yml:3:20: error: hashFiles() can only be used in a cache's key and restore-keys, where the workspace is there to read")]
    [InlineData("jobs:\n  a:\n    if: hashFiles('x') == ''\n    steps: [{ run: make }]\n", "ci.yml:3:9: error: hashFiles() can only be used in a cache's key and restore-keys, where the workspace is there to read")]
    [InlineData("jobs:\n  a:\n    steps: [{ name: \"${{ hashFiles('x') }}\", run: make }]\n", "ci.yml:3:26: error: hashFiles() can only be used in a cache's key and restore-keys, where the workspace is there to read")]
    public void HashFiles_ElsewhereThanCacheKeys_IsAnErrorSayingWhere(string yaml, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(yaml)));
}
