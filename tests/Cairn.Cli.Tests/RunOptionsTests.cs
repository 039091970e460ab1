namespace Cairn.Cli.Tests;

public sealed class RunOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("test", new[] { "build", "test (debian, 10)", "test (alpine, 10)" })]
    [InlineData("test (alpine, 10)", new[] { "build", "test (alpine, 10)" })]
    public async Task Job_RunsThatJobAndWhatItNeeds_AndNothingElse(string selector, string[] expected)
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              lint:
                steps:
                  - run: echo linting
              build:
                steps:
                  - run: echo building
              test:
                needs: [build]
                matrix:
                  os: [debian, alpine]
                  v: ["10"]
                steps:
                  - run: echo "testing $CAIRN_JOB"
              package:
                needs: [test]
                steps:
                  - run: echo packaging
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--json", "--job", selector);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonSummary.Parse(result.Stdout);
        var ran = summary.Jobs.Where(j => j.StartedAt is not null).Select(j => j.Name);
        Assert.Equal(expected, ran);
        Assert.All(summary.Jobs.Where(j => !expected.Contains(j.Name)), j => Assert.Equal("skipped", j.Status));
        Assert.DoesNotContain("linting", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packaging", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(expected.Length - 1, result.Stderr.Split('\n').Count(l => l.Contains("] testing test (", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Env_OverridesThePipelineJobAndStepEnv_AndAddsNewVariables()
    {
        _dir.WriteFile(".cairn.yml", """
            env: { LEVEL: pipeline, KEEP: kept }
            jobs:
              show:
                env: { JOBVAR: job }
                steps:
                  - env: { STEPVAR: step }
                    run: echo "level=$LEVEL keep=$KEEP job=$JOBVAR step=$STEPVAR extra=$EXTRA"
            """);

        var result = await CairnProcess.RunAsync(
            _dir.Path, "run", "--env", "LEVEL=cli", "-e", "JOBVAR=cli-job", "--env", "STEPVAR=cli-step", "--env", "EXTRA=a=b");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("level=cli keep=kept job=cli-job step=cli-step extra=a=b", CairnOutput.LinesOf(result.Stdout, "show"));
    }

    [Theory]
    [InlineData(new string[0], "staging", "skipped")]
    [InlineData(new[] { "--input", "target=production", "--input", "ship=yes" }, "production", "succeeded")]
    public async Task Input_SetsManualInputs_OverDefaults_AndDecidesConditions(string[] inputs, string target, string shipStatus)
    {
        _dir.WriteFile(".cairn.yml", """
            on:
              manual:
                inputs:
                  target: { default: staging }
                  ship: { default: "no" }
            jobs:
              show:
                env: { TARGET: "${{ inputs.target }}" }
                steps:
                  - run: echo "target=$TARGET"
              ship:
                if: ${{ inputs.ship == 'yes' }}
                steps:
                  - run: echo shipping
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, ["run", "--json", .. inputs]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonSummary.Parse(result.Stdout);
        Assert.Contains($"target={target}", CairnOutput.LinesOf(result.Stderr, "show"));
        Assert.Equal(shipStatus, summary["ship"].Status);
        Assert.Equal(shipStatus == "succeeded", result.Stderr.Contains("[ship] shipping", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Input_ThatIsRequired_MustBeGiven()
    {
        _dir.WriteFile(".cairn.yml", """
            on: { manual: { inputs: { version: { required: true } } } }
            jobs:
              release:
                steps:
                  - run: touch ran
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run");

        Assert.True(result.ExitCode == 2, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.Contains("version", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("ran")), "the job ran without its required input");
    }

    [Fact]
    public async Task Secret_ReachesTheJobMasked_AndAMissingSecretFailsTheJobAsConfig()
    {
        const string value = "hunter2-s3cr3t";
        _dir.WriteFile(".cairn.yml", """
            jobs:
              publish:
                secrets: [TOKEN]
                steps:
                  - run: |
                      echo "token is $TOKEN"
                      echo "on stderr: $TOKEN" >&2
                      test "$TOKEN" = hunter2-s3cr3t && echo "token arrived intact"
              orphan:
                secrets: [API_KEY]
                steps:
                  - run: echo "should not run"
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--secret", $"TOKEN={value}");

        Assert.True(result.ExitCode == 1, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.DoesNotContain(value, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(value, result.Stderr, StringComparison.Ordinal);
        var publish = CairnOutput.LinesOf(result.Stdout, "publish");
        Assert.Contains("token is ***", publish);
        Assert.Contains("on stderr: ***", publish);
        Assert.Contains("token arrived intact", publish);

        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal("succeeded", table["publish"].Status);
        Assert.Equal(("failed", "config"), (table["orphan"].Status, table["orphan"].Class));
        Assert.Contains(CairnOutput.LinesOf(result.Stdout, "orphan"), l => l.Contains("API_KEY", StringComparison.Ordinal));
        Assert.DoesNotContain("should not run", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParallelOne_NeverOverlapsJobs()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              a: { steps: [{ run: 'echo "start $CAIRN_JOB $(date +%s.%N)" >> marks.txt; sleep 0.3; echo "end $CAIRN_JOB $(date +%s.%N)" >> marks.txt' }] }
              b: { steps: [{ run: 'echo "start $CAIRN_JOB $(date +%s.%N)" >> marks.txt; sleep 0.3; echo "end $CAIRN_JOB $(date +%s.%N)" >> marks.txt' }] }
              c: { steps: [{ run: 'echo "start $CAIRN_JOB $(date +%s.%N)" >> marks.txt; sleep 0.3; echo "end $CAIRN_JOB $(date +%s.%N)" >> marks.txt' }] }
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--parallel", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var marks = File.ReadAllLines(_dir.Combine("marks.txt")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(6, marks.Count);
        for (var i = 0; i < marks.Count; i += 2)
        {
            // Appends are ordered, so a start followed by anything but its own end means two jobs overlapped.
            Assert.Equal(("start", "end"), (marks[i][0], marks[i + 1][0]));
            Assert.Equal(marks[i][1], marks[i + 1][1]);
        }

        Assert.Equal(["a", "b", "c"], marks.Where(m => m[0] == "start").Select(m => m[1]).Order());
    }

    [Fact]
    public async Task ParallelThree_RunsIndependentJobsAtTheSameTime()
    {
        // Each job waits (up to 30 s) until all three have started: it can only succeed if they overlap.
        const string barrier = """
            touch "started-$CAIRN_JOB"
            for i in $(seq 1 300); do
              [ "$(ls started-* | wc -l)" -ge 3 ] && exit 0
              sleep 0.1
            done
            echo "the other jobs never started alongside this one"
            exit 1
            """;
        var step = string.Join("\n", barrier.Split('\n').Select(l => "          " + l));
        _dir.WriteFile(".cairn.yml", $"""
            jobs:
              a:
                steps:
                  - run: |
            {step}
              b:
                steps:
                  - run: |
            {step}
              c:
                steps:
                  - run: |
            {step}
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--parallel", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["succeeded", "succeeded", "succeeded"], SummaryTable.Parse(result.Stdout).Rows.Select(r => r.Status));
    }

    public void Dispose() => _dir.Dispose();
}
