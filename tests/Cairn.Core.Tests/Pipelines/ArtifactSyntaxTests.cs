using System.Text.Json;
using Cairn.Core.Artifacts;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Pipelines;

public sealed class ArtifactSyntaxTests
{
    /// <summary>The artifacts sketch of the feature's description, as written there.</summary>
    public const string ArtifactsSketch = """
        jobs:
          build:
            steps: [{ run: make dist }]
            artifacts:
              paths: ["dist/**", "coverage.xml"]     # globs relative to the workspace
              expire-in: 14d                         # default from the server's settings
              when: always                           # on_success (default) | on_failure | always
          deploy-check:
            needs: [build]                           # receives build's artifacts in its workspace before its first step
            steps: [{ run: ls dist }]
        """;

    /// <summary>The caches sketch of the feature's description, as written there.</summary>
    public const string CacheSketch = """
        jobs:
          test:
            cache:
              - key: nuget-${{ hashFiles('**/packages.lock.json') }}
                paths: [~/.nuget/packages]
                restore-keys: [nuget-]               # newest cache whose key starts with this, when the exact key misses
            steps: [{ run: dotnet test }]
        """;

    private static Pipeline Valid(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Pipeline!;
    }

    private static List<string> Errors(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.False(result.IsValid);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    private static Dictionary<string, JobDefinitionJson> Plan(Pipeline pipeline)
    {
        var result = RunPlanner.Plan(pipeline, TriggerEvent.Manual(null, null, null, new Dictionary<string, string>()));
        Assert.Empty(result.Errors);
        return result.Plan!.Jobs.ToDictionary(j => j.Name, j => JobDefinitionJson.Deserialize(j.Definition));
    }

    private static string Artifacts(string artifacts) => $"jobs:\n  build:\n    steps: [{{ run: make }}]\n    artifacts: {artifacts}\n";

    [Fact]
    public void ArtifactsSketch_Validates_AndPlansAsWritten()
    {
        var pipeline = Valid(ArtifactsSketch);

        var rule = pipeline.Jobs[0].Artifacts!;
        Assert.Equal(["dist/**", "coverage.xml"], rule.Paths);
        Assert.Equal(ArtifactWhen.Always, rule.When);
        Assert.Equal(TimeSpan.FromDays(14), rule.ExpireIn);
        Assert.Null(pipeline.Jobs[1].Artifacts);
        var jobs = Plan(pipeline);
        var artifacts = jobs["build"].Artifacts!;
        Assert.Equal(["dist/**", "coverage.xml"], artifacts.Paths);
        Assert.Equal("always", artifacts.When);
        Assert.Equal(14L * 24 * 60 * 60 * 1000, artifacts.ExpireInMs);
        Assert.Null(jobs["deploy-check"].Artifacts);
        Assert.Empty(jobs["deploy-check"].Caches);
    }

    [Fact]
    public void CacheSketch_Validates_AndPlansWithKeysUnexpanded()
    {
        var pipeline = Valid(CacheSketch);

        var cache = Assert.Single(pipeline.Jobs[0].Caches);
        Assert.Equal("nuget-${{ hashFiles('**/packages.lock.json') }}", cache.Key);
        Assert.Equal(["~/.nuget/packages"], cache.Paths);
        Assert.Equal(["nuget-"], cache.RestoreKeys);
        var stored = Assert.Single(Plan(pipeline)["test"].Caches);
        Assert.Equal("nuget-${{ hashFiles('**/packages.lock.json') }}", stored.Key);
        Assert.Equal(["~/.nuget/packages"], stored.Paths);
        Assert.Equal(["nuget-"], stored.RestoreKeys);
    }

    [Fact]
    public void Artifacts_DefaultToOnSuccess_AndTheServersExpiry()
    {
        var definition = Plan(Valid(Artifacts("{ paths: [out/*.txt] }")))["build"];

        Assert.Equal(new ArtifactsJson(definition.Artifacts!.Paths, "on_success", null), definition.Artifacts);
        Assert.Equal(new ArtifactRule(definition.Artifacts.Paths, ArtifactWhen.OnSuccess, null), definition.Artifacts.ToRule());
    }

    [Fact]
    public void ASingleCacheMapping_IsAOneItemList_AndEveryMatrixJobCarriesItsRules()
    {
        var jobs = Plan(Valid("""
            jobs:
              test:
                matrix: { os: [debian, alpine] }
                env: { TOOL: dotnet }
                cache: { key: "deps-${{ matrix.os }}-${{ env.TOOL }}-${{ hashFiles('a.lock', 'b/**/*.lock') }}", paths: [node_modules, ~/.cache/pip] }
                artifacts: { paths: [out/**], when: on_failure, expire-in: 12h }
                steps: [{ run: make }]
            """));

        foreach (var name in new[] { "test (debian)", "test (alpine)" })
        {
            var cache = Assert.Single(jobs[name].Caches);
            Assert.Equal("deps-${{ matrix.os }}-${{ env.TOOL }}-${{ hashFiles('a.lock', 'b/**/*.lock') }}", cache.Key);
            Assert.Equal(["node_modules", "~/.cache/pip"], cache.Paths);
            Assert.Empty(cache.RestoreKeys);
            Assert.Equal(new CacheRule(cache.Key, cache.Paths, cache.RestoreKeys), cache.ToRule());
            Assert.Equal("on_failure", jobs[name].Artifacts!.When);
            Assert.Equal(12L * 60 * 60 * 1000, jobs[name].Artifacts!.ExpireInMs);
        }
    }

    [Fact]
    public void StoredDefinition_WithoutArtifactsOrCaches_ReadsBackAsNone()
    {
        const string older = """{"key":"a","matrix":{},"env":{},"inputs":{},"secrets":[],"steps":[{"name":"make","run":"make","env":{}}]}""";

        var definition = JobDefinitionJson.Deserialize(older);

        Assert.Null(definition.Artifacts);
        Assert.Empty(definition.Caches);
    }

    [Fact]
    public void Definition_RoundTrips_ArtifactsAndCaches()
    {
        var definition = Plan(Valid(ArtifactsSketch + "\n    cache: { key: k, paths: [x], restore-keys: [a-, b-] }\n"))["deploy-check"];

        var read = JobDefinitionJson.Deserialize(definition.Serialize());

        Assert.Equal(["a-", "b-"], Assert.Single(read.Caches).RestoreKeys);
        Assert.Equal(["x"], read.Caches[0].Paths);
    }

    [Theory]
    [InlineData("{ paths: [/etc/passwd] }", "ci.yml:4:26: error: artifact path '/etc/passwd' is absolute; write it relative to the workspace, like dist/**")]
    [InlineData("{ paths: [dist/../../x] }", "ci.yml:4:26: error: artifact path 'dist/../../x' leaves the workspace: '..' is not allowed")]
    [InlineData("{ paths: [\"~/secrets\"] }", "ci.yml:4:26: error: artifact path '~/secrets' is not in the workspace: '~' is not allowed here; write a glob relative to the workspace, like dist/**")]
    [InlineData("{ paths: [\"\"] }", "ci.yml:4:26: error: artifact path '' is not a glob: an empty glob matches nothing")]
    [InlineData("{ paths: [] }", "ci.yml:4:25: error: 'artifacts.paths' of job 'build' is empty; give at least one glob, like [dist/**]")]
    [InlineData("{ paths: [\"!dist/**\"] }", "ci.yml:4:25: error: 'artifacts.paths' has only negative patterns, which match nothing; put what to include first, like ['**', '!dist/**']")]
    [InlineData("{ expire-in: 14d }", "ci.yml:4:16: error: 'artifacts' of job 'build' has no 'paths'; give the globs to keep, like paths: [dist/**]")]
    [InlineData("{ paths: [a], when: alwyas }", "ci.yml:4:36: error: unknown 'when' value 'alwyas'; did you mean 'always'?")]
    [InlineData("{ paths: [a], when: sometimes }", "ci.yml:4:36: error: unknown 'when' value 'sometimes'; expected one of: on_success, on_failure, always")]
    [InlineData("{ paths: [a], expire-in: 14 }", "ci.yml:4:41: error: 'expire-in': '14' has no unit: write 14s, 14m or 14h")]
    [InlineData("{ paths: [a], expire_in: 1d }", "ci.yml:4:30: error: unknown key 'expire_in' in 'artifacts' of job 'build'; did you mean 'expire-in'?")]
    [InlineData("[dist/**]", "ci.yml:4:16: error: 'artifacts' of job 'build' must be a mapping with 'paths', like { paths: [dist/**] }")]
    public void BadArtifacts_AreAnErrorAtTheirPlace(string artifacts, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(Artifacts(artifacts))));

    [Theory]
    [InlineData("jobs:\n  a:\n    agent: { use: p, prompt: x }\n    artifacts: { paths: [x] }\nagents: { p: { cli: claude } }\n",
        "ci.yml:4:5: error: agent job 'a' cannot have 'artifacts'")]
    [InlineData("jobs:\n  a:\n    approval: { approvers: [ann] }\n    cache: { key: k, paths: [x] }\n",
        "ci.yml:4:5: error: approval job 'a' cannot have 'cache'")]
    [InlineData("jobs:\n  w:\n    agent: { use: p, prompt: x }\n  a:\n    needs: [w]\n    publish:\n    artifacts: { paths: [x] }\nagents: { p: { cli: claude } }\n",
        "ci.yml:7:5: error: publish job 'a' cannot have 'artifacts'")]
    public void ArtifactsAndCaches_BelongToStepsJobsOnly(string yaml, string expected) =>
        Assert.StartsWith(expected, Assert.Single(Errors(yaml)), StringComparison.Ordinal);

    [Fact]
    public void Schema_DescribesArtifactsAndCache_OnAJob()
    {
        using var schema = JsonDocument.Parse(PipelineSchema.Generate());
        var job = schema.RootElement.GetProperty("properties").GetProperty("jobs").GetProperty("additionalProperties").GetProperty("properties");

        var artifacts = job.GetProperty("artifacts");
        Assert.Equal(["paths"], artifacts.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["on_success", "on_failure", "always"],
            artifacts.GetProperty("properties").GetProperty("when").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        var cache = job.GetProperty("cache").GetProperty("oneOf");
        Assert.Equal("object", cache[0].GetProperty("type").GetString());
        Assert.Equal("array", cache[1].GetProperty("type").GetString());
        Assert.Equal(["key", "paths"], cache[1].GetProperty("items").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }
}
