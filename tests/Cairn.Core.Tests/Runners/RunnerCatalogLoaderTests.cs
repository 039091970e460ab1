using Cairn.Core.Runners;

namespace Cairn.Core.Tests.Runners;

public sealed class RunnerCatalogLoaderTests
{
    private const string Example = """
        default: small
        runners:
          small: { executor: container, cpu: 1, memory: 512Mi }
          large: { executor: container, cpu: 2, memory: 4Gi, labels: [linux, big], image: debian:12 }
          host:  { executor: shell }
          k8s:   { executor: kubernetes, cpu: 500m, namespace: ci }
        """;

    private static List<string> Errors(string yaml)
    {
        var result = RunnerCatalogLoader.Load(yaml, "runners.yml");
        Assert.False(result.IsValid);
        Assert.Null(result.Catalog);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    private static string Error(string yaml) => Assert.Single(Errors(yaml));

    [Fact]
    public void ValidFile_GivesEveryAlias_InFileOrder_WithTheDefault()
    {
        var result = RunnerCatalogLoader.Load(Example, "runners.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var catalog = result.Catalog!;
        Assert.Equal("small", catalog.DefaultAlias);
        Assert.Equal(["small", "large", "host", "k8s"], catalog.Names);
        var small = catalog.Find("small")!;
        Assert.Equal(("container", 1.0, 536_870_912L, 0, (string?)null), (small.Executor, small.Cpu!.Value, small.MemoryBytes!.Value, small.Labels.Count, small.Image));
        var large = catalog.Find("large")!;
        Assert.Equal((2.0, 4_294_967_296L, "debian:12"), (large.Cpu!.Value, large.MemoryBytes!.Value, large.Image));
        Assert.Equal(["linux", "big"], large.Labels);
        Assert.Null(catalog.Find("host")!.Resources);
        Assert.Equal(new Core.Execution.ResourceLimits(0.5, null), catalog.Find("k8s")!.Resources);
        Assert.Same(large, catalog.AliasFor("large"));
        Assert.Equal("small", catalog.AliasFor(null)!.Name);
        Assert.Equal(["linux", "big"], catalog.LabelsFor("large"));
        Assert.Empty(catalog.LabelsFor("nope"));
    }

    [Fact]
    public void DefaultIsOptional_JobsWithoutRunnerThenGetTheBuiltInRule()
    {
        var result = RunnerCatalogLoader.Load("runners:\n  host: { executor: shell }\n", "runners.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Catalog!.AliasFor(null));
    }

    [Theory]
    [InlineData("runners:\n  a: { executor: shell, memory: 4GB }\n", "runners.yml:2:33: error: memory '4GB' is not a quantity: use 512Mi, 4Gi or 1G")]
    [InlineData("runners:\n  a: { executor: shell, cpu: 2 cores }\n", "runners.yml:2:30: error: cpu '2 cores' is not a number of cores: use 2, 0.5 or 500m")]
    [InlineData("runners:\n  a: { executor: docker }\n", "runners.yml:2:18: error: unknown executor 'docker'; expected one of: shell, container, kubernetes")]
    [InlineData("runners:\n  a: { executor: contianer }\n", "runners.yml:2:18: error: unknown executor 'contianer'; did you mean 'container'?")]
    [InlineData("runners:\n  a: { executor: shell, memroy: 1Gi }\n", "runners.yml:2:25: error: unknown key 'memroy' in runner 'a'; did you mean 'memory'?")]
    [InlineData("defualt: a\nrunners:\n  a: { executor: shell }\n", "runners.yml:1:1: error: unknown key 'defualt' at the top level of the runner file; did you mean 'default'?")]
    [InlineData("runners:\n  a: { cpu: 1 }\n", "runners.yml:2:6: error: runner 'a' has no 'executor'; give one of: shell, container, kubernetes")]
    [InlineData("runners:\n  a: shell\n", "runners.yml:2:6: error: runner 'a' must be a mapping like { executor: container, cpu: 1, memory: 512Mi }")]
    [InlineData("runners:\n  a: { executor: shell, labels: [linux, \"big disk\"] }\n", "runners.yml:2:41: error: 'big disk' is not a valid label; use letters, digits, _, ., / and -")]
    [InlineData("runners:\n  9a: { executor: shell }\n", "runners.yml:2:3: error: '9a' is not a valid runner name; use letters, digits, _, . and -, starting with a letter or _")]
    [InlineData("runners:\n  a: { executor: shell }\n  a: { executor: shell }\n", "runners.yml:3:3: error: runner 'a' is defined twice (first at 2:3)")]
    [InlineData("default: smal\nrunners:\n  small: { executor: shell }\n  large: { executor: shell }\n", "runners.yml:1:10: error: default runner 'smal' is not defined; did you mean 'small'? (runners: small, large)")]
    [InlineData("default: small\n", "runners.yml:1:1: error: the runner file has no 'runners'; add runners: { small: { executor: container, cpu: 1, memory: 512Mi } }")]
    [InlineData("runners: {}\n", "runners.yml:1:1: error: 'runners' is empty; define at least one runner")]
    [InlineData("- a\n", "runners.yml:1:1: error: a runner file must be a mapping with 'runners' (and optionally 'default')")]
    [InlineData("", "runners.yml:1:1: error: a runner file must be a mapping with 'runners' (and optionally 'default')")]
    public void BadFile_IsOneErrorAtItsPlace(string yaml, string expected) =>
        Assert.Equal(expected, Error(yaml));

    [Fact]
    public void EveryErrorIsReportedAtOnce_InFileOrder()
    {
        var errors = Errors("""
            default: huge
            runners:
              small: { executor: container, memory: 4GB }
              large: { executor: dokcer, cpu: 0 }
            """);

        Assert.Equal(
        [
            "runners.yml:1:10: error: default runner 'huge' is not defined (runners: small, large)",
            "runners.yml:3:41: error: memory '4GB' is not a quantity: use 512Mi, 4Gi or 1G",
            "runners.yml:4:22: error: unknown executor 'dokcer'; expected one of: shell, container, kubernetes",
            "runners.yml:4:35: error: cpu '0' is not a number of cores: use 2, 0.5 or 500m",
        ], errors);
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithItsPlace()
    {
        var error = Error("runners:\n  a: { executor: shell\n");

        Assert.StartsWith("runners.yml:3:1: error: ", error);
    }

    [Fact]
    public void MissingFile_IsAnErrorNamingTheFile()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("absent.yml");

        var result = RunnerCatalogLoader.LoadFile(path);

        Assert.Equal($"{path}:1:1: error: cannot read the runner file: no such file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void File_IsReadFromDisk_WithItsNameInErrors()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("runners.yml");
        File.WriteAllText(path, "runners:\n  a: { executor: shell, memory: 1.5Gi }\n");

        var result = RunnerCatalogLoader.LoadFile(path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(1_610_612_736L, result.Catalog!.Find("a")!.MemoryBytes);
    }

    [Fact]
    public void UserAndPassEnv_AreRead_ForTheAliasesThatSetThem()
    {
        var result = RunnerCatalogLoader.Load("""
            runners:
              host: { executor: shell, user: builder, pass-env: [HTTP_PROXY, NO_PROXY] }
              uid:  { executor: shell, user: "1001" }
              box:  { executor: container, image: debian:12 }
            """, "runners.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var host = result.Catalog!.Find("host")!;
        Assert.Equal("builder", host.User);
        Assert.Equal(["HTTP_PROXY", "NO_PROXY"], host.PassEnv);
        Assert.Equal("1001", result.Catalog.Find("uid")!.User);
        Assert.Null(result.Catalog.Find("box")!.User);
        Assert.Empty(result.Catalog.Find("box")!.PassEnv);
    }

    [Fact]
    public void BadUserAndPassEnv_AreErrors_WithTheirPlace()
    {
        var errors = Errors("""
            runners:
              host: { executor: shell, user: "-o root", pass-env: [GOOD, "1BAD", "A B"] }
            """);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("runners.yml:2:", errors[0], StringComparison.Ordinal);
        Assert.Contains("'-o root' is not a user name or a numeric uid", errors[0], StringComparison.Ordinal);
        Assert.Contains("'1BAD' is not a variable name", errors[1], StringComparison.Ordinal);
        Assert.Contains("'A B' is not a variable name", errors[2], StringComparison.Ordinal);
    }
}
