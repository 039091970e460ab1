namespace Cairn.Cli.Tests;

public sealed class RunnerOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private const string ImageAndUnknownRunner = """
        jobs:
          build:
            image: debian:12
            steps:
              - run: echo "built on $(uname -s)"
          big:
            runner: xl
            steps:
              - run: echo never
        """;

    [Fact]
    public async Task BadRunnerFile_StopsBeforeAnyJob_WithEveryErrorAtItsPlace()
    {
        _dir.WriteFile(".cairn.yml", "jobs:\n  a:\n    steps: [{ run: echo ran }]\n");
        _dir.WriteFile("runners.yml", "default: smal\nrunners:\n  small: { executor: shell, memory: 4GB }\n  large: { executor: contianer }\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--runners", "runners.yml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
        [
            "runners.yml:1:10: error: default runner 'smal' is not defined; did you mean 'small'? (runners: small, large)",
            "runners.yml:3:37: error: memory '4GB' is not a quantity: use 512Mi, 4Gi or 1G",
            "runners.yml:4:22: error: unknown executor 'contianer'; did you mean 'container'?",
        ], Lines(result.Stderr));
        Assert.Equal("", result.Stdout);
        CairnOutput.AssertClean(result);
    }

    [Fact]
    public async Task MissingRunnerFile_IsAUsageError()
    {
        _dir.WriteFile(".cairn.yml", "jobs:\n  a:\n    steps: [{ run: echo ran }]\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--runners", "nope.yml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(["nope.yml:1:1: error: cannot read the runner file: no such file"], Lines(result.Stderr));
        CairnOutput.AssertClean(result);
    }

    [Fact]
    public async Task UnknownRunner_FailsThatJobAsConfig_WithTheKnownNamesInTheSummary()
    {
        _dir.WriteFile(".cairn.yml", ImageAndUnknownRunner);
        _dir.WriteFile("runners.yml", "runners:\n  small: { executor: shell }\n  large: { executor: shell, cpu: 2 }\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--json", "--runners", "runners.yml", "--executor", "shell");

        Assert.True(result.ExitCode == 1, result.ToString());
        var summary = JsonSummary.Parse(result.Stdout);
        Assert.Equal(("failed", "config"), (summary["big"].Status, summary["big"].FailureClass));
        Assert.Equal("unknown runner 'xl' (known: small, large)", summary["big"].FailureDetail);
        Assert.Contains("error: unknown runner 'xl' (known: small, large)", CairnOutput.LinesOf(result.Stderr, "big"));
        Assert.Equal("succeeded", summary["build"].Status);
        Assert.Null(summary["build"].FailureDetail);
        CairnOutput.AssertClean(result);
    }

    [Fact]
    public async Task ExecutorShell_RunsAnImageJobOnThisHost_WithAWarning()
    {
        _dir.WriteFile(".cairn.yml", "jobs:\n  build:\n    image: debian:12\n    steps:\n      - run: echo \"built on $(uname -s)\"\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--executor", "shell");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = CairnOutput.LinesOf(result.Stdout, "build");
        Assert.Contains("warning: the shell executor ignores image 'debian:12'; steps run on this host", lines);
        Assert.Contains("built on Linux", lines);
        Assert.Equal("succeeded", SummaryTable.Parse(result.Stdout)["build"].Status);
    }

    [Fact]
    public async Task ImageJob_WithNoEngineReachable_FailsAsConfig_NamingDockerHost_WhileHostJobsRun()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              build:
                image: debian:12
                steps: [{ run: echo never }]
              lint:
                steps: [{ run: echo linted }]
            """);
        var socket = $"unix://{_dir.Combine("no-engine.sock")}";

        var result = await CairnProcess.RunAsync(_dir.Path, new Dictionary<string, string?> { ["DOCKER_HOST"] = socket }, "run", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var summary = JsonSummary.Parse(result.Stdout);
        Assert.Equal("config", summary["build"].FailureClass);
        Assert.Equal($"job 'build' needs image 'debian:12' but no container engine is reachable (DOCKER_HOST={socket})", summary["build"].FailureDetail);
        Assert.Equal("succeeded", summary["lint"].Status);
        Assert.Contains("linted", CairnOutput.LinesOf(result.Stderr, "lint"));
        CairnOutput.AssertClean(result);
    }

    [Fact]
    public async Task JobOnALabelledRunner_IsTakenByTheLocalRun_AndTheDefaultAppliesToJobsWithoutRunner()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              big:
                runner: large
                steps: [{ run: echo big ran }]
              plain:
                steps: [{ run: echo plain ran }]
            """);
        _dir.WriteFile("runners.yml", "default: missing-executor\nrunners:\n  large: { executor: shell, labels: [linux, big] }\n  missing-executor: { executor: kubernetes, namespace: ci, image: alpine }\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--json", "--runners", "runners.yml");

        Assert.True(result.ExitCode == 1, result.ToString());
        var summary = JsonSummary.Parse(result.Stdout);
        Assert.Equal("succeeded", summary["big"].Status);
        Assert.Contains("big ran", CairnOutput.LinesOf(result.Stderr, "big"));
        Assert.Equal(
            "job 'plain' runs on runner 'missing-executor', which uses the kubernetes executor, but cairn run does not run jobs on Kubernetes, since their pods fetch the source from a Cairn server; 'cairn pod-spec' shows the pod such a job would run as",
            summary["plain"].FailureDetail);
    }

    [Fact]
    public async Task ServicesOnAShellRunner_FailAsConfig()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              test:
                runner: host
                services: { db: { image: postgres:15 } }
                steps: [{ run: echo never }]
            """);
        _dir.WriteFile("runners.yml", "runners:\n  host: { executor: shell }\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--json", "--runners", "runners.yml");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            "job 'test' has services, which need the container executor; its runner 'host' uses shell",
            JsonSummary.Parse(result.Stdout)["test"].FailureDetail);
    }

    [Fact]
    public async Task UnknownExecutorMode_IsAUsageError()
    {
        _dir.WriteFile(".cairn.yml", "jobs:\n  a:\n    steps: [{ run: echo ran }]\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--executor", "docker");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error: --executor takes auto, shell or container, not 'docker'", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}
