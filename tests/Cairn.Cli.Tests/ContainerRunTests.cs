namespace Cairn.Cli.Tests;

/// <summary><c>cairn run</c> with a job that names an image, against a real engine (Podman's Docker API).</summary>
public sealed class ContainerRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [ContainerEngineFact]
    public async Task ImageJob_RunsInTheImage_WithEnvAndMaskedSecret_AndWritesIntoTheWorkspace()
    {
        const string value = "container-s3cr3t-value";
        _dir.WriteFile(".cairn.yml", $$"""
            env: { GREETING: hello }
            jobs:
              boxed:
                image: {{Engines.TestImage}}
                secrets: [TOKEN]
                steps:
                  - run: |
                      grep ^ID= /etc/os-release
                      echo "greeting=$GREETING job=$CAIRN_JOB"
                      echo "token is $TOKEN"
                      test "$TOKEN" = {{value}} && echo "token arrived intact"
                      echo "made in the container" > from-container.txt
            """);
        var env = new Dictionary<string, string?> { ["DOCKER_HOST"] = Engines.ContainerEngine };

        var result = await CairnProcess.RunAsync(_dir.Path, env, "run", "--secret", $"TOKEN={value}");

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertClean(result);
        var lines = CairnOutput.LinesOf(result.Stdout, "boxed");
        Assert.Contains("ID=cairn-busybox", lines);
        Assert.Contains("greeting=hello job=boxed", lines);
        Assert.Contains("token is ***", lines);
        Assert.Contains("token arrived intact", lines);
        Assert.DoesNotContain(value, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(value, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("made in the container", File.ReadAllText(_dir.Combine("from-container.txt")).Trim());
    }
}
