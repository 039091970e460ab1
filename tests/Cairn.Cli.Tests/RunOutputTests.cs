namespace Cairn.Cli.Tests;

public sealed class RunOutputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Run_PrefixesLogsWithTheJob_MarksSteps_AndEndsWithTheSummaryTable()
    {
        _dir.WriteFile(".cairn.yml", """
            name: shape
            jobs:
              first:
                steps:
                  - name: greet
                    run: echo "hello from first"
              second:
                needs: [first]
                steps:
                  - name: break
                    run: |
                      echo "about to fail" >&2
                      exit 4
                  - name: unreachable
                    run: echo "never printed"
              third:
                needs: [second]
                steps:
                  - run: echo "never printed either"
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run");

        Assert.True(result.ExitCode == 1, result.ToString());
        CairnOutput.AssertClean(result);
        var first = CairnOutput.LinesOf(result.Stdout, "first");
        Assert.Contains("==> greet", first);
        Assert.Contains("hello from first", first);
        Assert.Contains(first, l => l.StartsWith("<== greet: succeeded", StringComparison.Ordinal));
        Assert.True(first.ToList().IndexOf("==> greet") < first.ToList().IndexOf("hello from first"), result.ToString());
        var second = CairnOutput.LinesOf(result.Stdout, "second");
        Assert.Contains("about to fail", second);
        Assert.Contains(second, l => l.StartsWith("<== break: failed", StringComparison.Ordinal) && l.Contains('4', StringComparison.Ordinal));
        Assert.DoesNotContain("never printed", result.Stdout, StringComparison.Ordinal);

        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal(["first", "second", "third"], table.Rows.Select(r => r.Job));
        Assert.Equal(("succeeded", "0", "-"), (table["first"].Status, table["first"].Exit, table["first"].Class));
        Assert.Equal(("failed", "4", "script"), (table["second"].Status, table["second"].Exit, table["second"].Class));
        Assert.Equal(("skipped", "-", "-", "-"), (table["third"].Status, table["third"].Duration, table["third"].Exit, table["third"].Class));
        Assert.Equal("failed", table.Status);
    }

    [Fact]
    public async Task Run_PrintsNoControlSequence_OfTheJobsOutputOrStepNames()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              build:
                steps:
                  - name: "quiet\e[2K step"
                    run: |
                      printf '\033]0;owned\007hello\n'
                      printf 'rm -rf /\rall good\n'
                      printf 'hidden\033[8m text\033[0m \302\2332K done\n'
                      printf 'unfinished \033]0;title'
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertNoControlCharacters(result);
        var build = CairnOutput.LinesOf(result.Stdout, "build");
        Assert.Contains("==> quiet step", build);
        Assert.Contains("hello", build);
        Assert.Contains("rm -rf /all good", build);
        Assert.Contains("hidden text  done", build);
        Assert.Contains("unfinished ", build);
    }

    [Fact]
    public async Task RunJson_PrintsOneObjectOnStdout_WithMatrixNamesInPlanOrder_AndLogsAndWarningsOnStderr()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              build:
                steps:
                  - run: echo building
              test:
                needs: [build]
                matrix:
                  os: [debian, alpine]
                  v: ["10", "8"]
                  exclude: [{ os: alpine, v: "8" }, { os: solaris }]
                steps:
                  - run: echo "testing $CAIRN_JOB"
              broken:
                needs: [build]
                steps:
                  - run: exit 3
              deploy:
                needs: [test, broken]
                steps:
                  - run: echo deploying
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        CairnOutput.AssertClean(result);
        var summary = JsonSummary.Parse(result.Stdout);
        Assert.Equal("failed", summary.Status);
        Assert.Equal(
            ["build", "test (debian, 10)", "test (debian, 8)", "test (alpine, 10)", "broken", "deploy"],
            summary.Jobs.Select(j => j.Name));

        foreach (var name in new[] { "build", "test (debian, 10)", "test (debian, 8)", "test (alpine, 10)" })
        {
            var job = summary[name];
            Assert.Equal(("succeeded", 0, null), (job.Status, job.ExitCode, job.FailureClass));
            Assert.NotNull(job.StartedAt);
            Assert.True(job.FinishedAt >= job.StartedAt, $"{name} finished before it started");
        }

        Assert.Equal(("failed", 3, "script"), (summary["broken"].Status, summary["broken"].ExitCode, summary["broken"].FailureClass));
        Assert.NotNull(summary["broken"].FinishedAt);
        Assert.Equal(new JsonJob("deploy", "skipped", null, null, null, null), summary["deploy"]);

        Assert.Contains("testing test (alpine, 10)", CairnOutput.LinesOf(result.Stderr, "test (alpine, 10)"));
        Assert.Contains("building", CairnOutput.LinesOf(result.Stderr, "build"));
        Assert.Contains(": warning: ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error: --env", "run", ".", "--env", "NOEQUALS")]
    [InlineData("error: --parallel", "run", ".", "--parallel", "0")]
    [InlineData("--parallel takes a whole number of at least 1, not 'x'", "run", ".", "--parallel", "x")]
    [InlineData("unknown option '--bogus'", "run", "--bogus")]
    [InlineData("ghost", "run", ".", "--input", "ghost=1")]
    [InlineData("ghost", "run", ".", "--job", "ghost")]
    [InlineData("--no-such-option", "run", ".", "--no-such-option")]
    [InlineData("no-such-dir", "run", "no-such-dir")]
    public async Task Run_ExitsWithUsage_OnABadCommandLine_AndRunsNothing(string mentioned, params string[] args)
    {
        _dir.WriteFile(".cairn.yml", """
            on: { manual: { inputs: { target: { default: staging } } } }
            jobs:
              only:
                steps:
                  - run: touch ran
            """);

        var result = await CairnProcess.RunAsync(_dir.Path, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.Contains(mentioned, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.False(File.Exists(_dir.Combine("ran")), "a job ran despite the usage error");
    }

    public void Dispose() => _dir.Dispose();
}
