using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PipelineErrorTests
{
    private static List<string> Errors(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.False(result.IsValid);
        Assert.Null(result.Pipeline);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    private static string Error(string yaml) => Assert.Single(Errors(yaml));

    [Fact]
    public void SyntaxError_IsReportedAtItsPlace_WithoutYamlDotNetsPrefix()
    {
        var error = Error("jobs:\n  build:\n    steps: [{ run: make }\n");

        Assert.StartsWith("ci.yml:4:1: error: ", error);
        Assert.DoesNotContain("Idx:", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void EmptyFile_IsAnError(string yaml) =>
        Assert.Equal("ci.yml:1:1: error: the file is empty; a pipeline needs at least a 'jobs' mapping", Error(yaml));

    [Fact]
    public void TopLevelThatIsNotAMapping_IsAnError() =>
        Assert.Equal("ci.yml:1:1: error: the top level must be a mapping with 'jobs' (and optionally 'name', 'on' and 'env')", Error("- a\n- b\n"));

    [Fact]
    public void UnknownJobKey_SuggestsTheClosest() =>
        Assert.Equal(
            "ci.yml:3:5: error: unknown key 'nedds' in job 'test'; did you mean 'needs'?",
            Error("jobs:\n  test:\n    nedds: [a]\n    steps: [{ run: make }]\n"));

    [Fact]
    public void UnknownTopLevelKey_WithNothingClose_ListsTheKeys() =>
        Assert.Equal(
            "ci.yml:1:1: error: unknown key 'zzzzzz' at the top level; expected one of: name, on, concurrency, priority, env, jobs",
            Error("zzzzzz: 1\njobs: { a: { steps: [{ run: make }] } }\n"));

    [Fact]
    public void DuplicateJob_NamesTheFirstPlace() =>
        Assert.Equal(
            "ci.yml:5:3: error: job 'test' is defined twice (first at 2:3)",
            Error("jobs:\n  test:\n    steps: [{ run: a }]\n\n  test:\n    steps: [{ run: b }]\n"));

    [Fact]
    public void DuplicateKeyInsideAJob_IsAnError() =>
        Assert.Equal(
            "ci.yml:4:5: error: 'runner' is given twice in job 'a' (first at 3:5)",
            Error("jobs:\n  a:\n    runner: x\n    runner: y\n    steps: [{ run: make }]\n"));

    [Theory]
    [InlineData("timeout: { a: 1 }", "3:14", "'timeout' must be a duration like 90s, 20m or 1h30m")]
    [InlineData("timeout: 20x", "3:14", "'timeout': '20x' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("needs: { a: 1 }", "3:12", "'needs' must be a job name or a list of job names")]
    [InlineData("runner: [a, b]", "3:13", "'runner' must be a string")]
    [InlineData("secrets: [my-token]", "3:15", "'my-token' is not a valid secret name; use letters, digits and _, not starting with a digit")]
    [InlineData("env: { 1X: a }", "3:12", "'1X' is not a valid environment variable name; use letters, digits and _, not starting with a digit")]
    [InlineData("retry: { max: 11 }", "3:19", "'max' must be a whole number from 0 to 10, not '11'")]
    [InlineData("retry: { on: [config] }", "3:19", "config failures are never retried")]
    [InlineData("retry: { on: [cancelled] }", "3:19", "cancelled jobs are never retried")]
    [InlineData("retry: { on: [infr] }", "3:19", "unknown failure class 'infr' in 'retry.on'; did you mean 'infra'?")]
    [InlineData("retry: { backoff: soon }", "3:23", "'backoff': 'soon' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    public void WrongValue_InAJob_IsReportedAtTheValue(string line, string place, string message) =>
        Assert.Equal($"ci.yml:{place}: error: {message}", Error($"jobs:\n  a:\n    {line}\n    steps: [{{ run: make }}]\n"));

    [Fact]
    public void StepsThatAreNotAList_IsAnError() =>
        Assert.Equal(
            "ci.yml:3:12: error: 'steps' must be a list of steps, like - run: ./build.sh",
            Error("jobs:\n  a:\n    steps: run\n"));

    [Fact]
    public void NeedsOfAnUnknownJob_SuggestsTheClosest() =>
        Assert.Equal(
            "ci.yml:5:12: error: job 'test' needs 'lnt', which is not a job; did you mean 'lint'?",
            Error("jobs:\n  lint:\n    steps: [{ run: a }]\n  test:\n    needs: lnt\n    steps: [{ run: b }]\n"));

    [Fact]
    public void JobNeedingItself_IsAnError() =>
        Assert.Equal(
            "ci.yml:3:13: error: job 'a' needs itself; remove 'a' from its 'needs'",
            Error("jobs:\n  a:\n    needs: [a]\n    steps: [{ run: a }]\n"));

    [Fact]
    public void DependencyCycle_IsNamedInOrder_AndReportedOnce()
    {
        var errors = Errors("""
            jobs:
              a: { needs: c, steps: [{ run: a }] }
              b: { needs: a, steps: [{ run: b }] }
              c: { needs: b, steps: [{ run: c }] }
              d: { needs: [c, d2], steps: [{ run: d }] }
              d2: { needs: d, steps: [{ run: d }] }
            """);

        Assert.Equal(
            [
                "ci.yml:2:15: error: dependency cycle: a -> c -> b -> a",
                "ci.yml:5:19: error: dependency cycle: d -> d2 -> d",
            ],
            errors);
    }

    [Fact]
    public void JobWithoutSteps_StepWithoutRun_AndEmptyRun_AreErrors()
    {
        var errors = Errors("""
            jobs:
              a: {}
              b:
                steps:
                  - name: nothing
                  - run: ""
            """);

        Assert.Equal(
            [
                "ci.yml:2:3: error: job 'a' has no steps; add steps: [{ run: ./build.sh }]",
                "ci.yml:5:9: error: step 1 of job 'b' has no 'run'; give the script to run, like run: ./build.sh",
                "ci.yml:6:14: error: 'run' of step 2 in job 'b' is empty",
            ],
            errors);
    }

    [Fact]
    public void BadCron_UsesTheCronParsersMessage() =>
        Assert.Equal(
            "ci.yml:1:26: error: bad cron '0 3 * *': expected 5 fields (minute hour day-of-month month day-of-week), found 4",
            Error("on: { schedule: [{ cron: \"0 3 * *\" }] }\njobs: { a: { steps: [{ run: a }] } }\n"));

    [Fact]
    public void UnknownTimeZone_IsAnError_AtItsPosition() =>
        Assert.Equal(
            "ci.yml:1:49: error: unknown time zone 'Mars/Olympus'; name an IANA zone like \"Europe/Berlin\" or \"UTC\"",
            Error("on: { schedule: [{ cron: \"0 3 * * *\", timezone: Mars/Olympus }] }\njobs: { a: { steps: [{ run: a }] } }\n"));

    [Fact]
    public void UnknownEvent_SuggestsTheClosest() =>
        Assert.Equal(
            "ci.yml:1:5: error: unknown event 'pushh' in 'on'; did you mean 'push'?",
            Error("on: pushh\njobs: { a: { steps: [{ run: a }] } }\n"));

    [Fact]
    public void ExpressionInRun_IsAnError_PointingAtTheExpression()
    {
        var errors = Errors("""
            jobs:
              a:
                matrix: { os: [debian] }
                steps:
                  - run: echo ${{ matrix.os }}
                  - run: |
                      echo one
                      echo ${{ matrix.os }}
            """);

        var message = "expressions are not expanded in 'run'; pass the value through env (env: { OS: \"${{ matrix.os }}\" }) and use $OS in the script";
        Assert.Equal([$"ci.yml:5:19: error: {message}", $"ci.yml:8:16: error: {message}"], errors);
    }

    [Fact]
    public void MatrixProblems_AreEachReported()
    {
        var errors = Errors("""
            jobs:
              a:
                matrix: { os: [], arch: [x64] }
                steps: [{ run: a }]
              b:
                matrix: {}
                steps: [{ run: b }]
              c:
                matrix:
                  os: [debian]
                  exclude: [{ oss: debian }]
                steps: [{ run: c }]
              d:
                matrix: { os: [debian, debian] }
                steps: [{ run: d }]
            """);

        Assert.Equal(
            [
                "ci.yml:3:15: error: matrix axis 'os' has no values",
                "ci.yml:6:5: error: the matrix of 'b' has no axes; give at least one axis (os: [debian, alpine]) or an 'include' entry",
                "ci.yml:11:19: error: 'exclude' names 'oss', which is not an axis of the matrix of 'c'; did you mean 'os'?",
                "ci.yml:14:5: error: the matrix of 'd' produces 'd (debian)' more than once; remove the repeated value or include entry",
            ],
            errors);
    }

    [Fact]
    public void MatrixOverTheLimit_SaysHowManyCombinations()
    {
        var values = string.Join(", ", Enumerable.Range(1, 20));
        Assert.Equal(
            "ci.yml:3:5: error: the matrix of 'a' has 300 combinations; the limit is 256",
            Error($"jobs:\n  a:\n    matrix: {{ x: [{values}], y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] }}\n    steps: [{{ run: a }}]\n"));
    }

    [Fact]
    public void AllErrors_AreReportedAtOnce_InFileOrder()
    {
        var errors = Errors("""
            name: ci
            on: { push: { branchs: [main] } }
            jobs:
              build:
                timeout: soon
                steps: [{ run: make }]
              test:
                needs: [biuld]
                steps: []
              deploy:
                retry: { on: [config] }
                steps: [{ run: ./deploy }]
            """);

        Assert.Equal(5, errors.Count);
        Assert.Equal(["2:15", "5:14", "8:13", "9:5", "11:19"], errors.Select(e => string.Join(':', e.Split(':')[1..3])));
    }

    [Fact]
    public void TabIndentation_IsReportedAtTheTab_NotAtTheStartOfTheFile()
    {
        var result = PipelineLoader.Load("jobs:\n  a:\n  \tsteps: [{ run: make }]\n", "ci.yml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(new SourceLocation("ci.yml", 3, 3), error.Location);
        Assert.Contains("tab", error.Message);
    }
}
