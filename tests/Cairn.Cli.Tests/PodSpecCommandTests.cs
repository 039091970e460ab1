namespace Cairn.Cli.Tests;

public sealed class PodSpecCommandTests : IDisposable
{
    private const string Pipeline = """
        name: pods
        jobs:
          test:
            runner: pods
            image: node:22
            secrets: [NPM_TOKEN]
            matrix: { node: [20, 22] }
            services:
              postgres: { image: "postgres:16" }
            steps:
              - run: npm test
          local:
            runner: host
            steps: [{ run: echo hi }]
        """;

    private const string Runners = """
        runners:
          pods: { executor: kubernetes, namespace: ci, cpu: 1, memory: 512Mi }
          host: { executor: shell }
        """;

    private readonly TempDirectory _dir = new();

    public PodSpecCommandTests()
    {
        _dir.WriteFile(".cairn.yml", Pipeline);
        _dir.WriteFile("runners.yml", Runners);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AMatrixJob_ByItsShownName_PrintsThePodThenTheSecret_WithPlaceholders()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, "pod-spec", ".", "--job", "test (20)", "--runners", "runners.yml");

        Assert.True(result.ExitCode == 0, result.ToString());
        var documents = result.Stdout.Split("\n---\n");
        Assert.Equal(2, documents.Length);
        Assert.Contains("kind: Pod", documents[0], StringComparison.Ordinal);
        Assert.Contains("namespace: ci", documents[0], StringComparison.Ordinal);
        Assert.Contains("value: test (20)", documents[0], StringComparison.Ordinal);
        Assert.Contains("- postgres", documents[0], StringComparison.Ordinal);
        Assert.Contains("kind: Secret", documents[1], StringComparison.Ordinal);
        Assert.Contains("env.NPM_TOKEN: <secret NPM_TOKEN>", documents[1], StringComparison.Ordinal);
        Assert.Contains("nonce: <nonce>", documents[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJob_IsAUsageError_ListingTheJobs()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, "pod-spec", ".", "--job", "test", "--runners", "runners.yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: unknown job 'test' (jobs: test (20), test (22), local)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task AJobOnAnotherExecutor_IsAUsageError_NamingIt()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, "pod-spec", ".", "--job", "local", "--runners", "runners.yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: job 'local' runs on runner 'host', which uses the shell executor; pod-spec needs one with executor: kubernetes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunnerFileError_IsReportedAtItsPlace()
    {
        _dir.WriteFile("bad.yml", "runners:\n  pods: { executor: kubernetes, namespace: CI }\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "pod-spec", ".", "--job", "test (20)", "--runners", "bad.yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.yml:2:44: error: 'CI' is not a valid namespace", result.Stderr, StringComparison.Ordinal);
    }
}
