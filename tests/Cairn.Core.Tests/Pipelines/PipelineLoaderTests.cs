using Cairn.Core.Pipelines;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PipelineLoaderTests
{
    private static Pipeline LoadValid(string yaml)
    {
        var result = PipelineLoader.Load(yaml, "ci.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Pipeline!;
    }

    [Fact]
    public void ScheduleTimeZone_IsReadOntoTheModel_AndUtcWhenLeftOut()
    {
        var pipeline = LoadValid("""
            on:
              schedule:
                - { cron: "30 2 * * *", timezone: Europe/Berlin }
                - { cron: "@daily" }
            jobs: { a: { steps: [{ run: a }] } }
            """);

        Assert.Equal(["Europe/Berlin", "UTC"], pipeline.On.Schedule.Select(s => s.TimeZone));
        Assert.Equal("CRON_TZ=Europe/Berlin 30 2 * * *", pipeline.On.Schedule[0].Expression.Spec);
        Assert.Equal(
            new DateTimeOffset(2024, 7, 1, 0, 30, 0, TimeSpan.Zero),
            pipeline.On.Schedule[0].Expression.GetNextOccurrence(new DateTimeOffset(2024, 6, 30, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void FullExample_LoadsIntoTheModel()
    {
        var pipeline = LoadValid(PipelineExamples.Full);

        Assert.Equal("ci", pipeline.Name);
        Assert.Equal("ci.yml", pipeline.SourceFile);
        Assert.Equal(["main", "release/*"], pipeline.On.Push!.Branches);
        Assert.Equal(["v*"], pipeline.On.Push.Tags);
        Assert.Equal(["src/**"], pipeline.On.Push.Paths);
        Assert.Equal(["main"], pipeline.On.PullRequest!.Branches);
        Assert.Empty(pipeline.On.PullRequest.Paths);
        var schedule = Assert.Single(pipeline.On.Schedule);
        Assert.Equal("0 3 * * 1-5", schedule.Cron);
        Assert.Equal(new SourceLocation("ci.yml", 5, 22), schedule.Location);
        Assert.Equal("staging", pipeline.On.Manual!.Inputs["target"].Default);
        Assert.Equal("Release", pipeline.Env["CONFIGURATION"]);
        Assert.Equal(["lint", "test", "report"], pipeline.Jobs.Select(j => j.Key));

        var test = pipeline.Jobs[1];
        Assert.Equal(["lint"], test.Needs);
        Assert.Equal("large", test.Runner);
        Assert.Equal("debian:12", test.Image);
        Assert.Equal(TimeSpan.FromMinutes(20), test.Timeout);
        Assert.Equal(["os", "dotnet"], test.Matrix!.Axes.Select(a => a.Name));
        Assert.Equal(["8", "10"], test.Matrix.Axes[1].Values);
        Assert.Equal("alpine", Assert.Single(test.Matrix.Exclude)["os"]);
        Assert.Equal("9", Assert.Single(test.Matrix.Include)["dotnet"]);
        Assert.Equal("${{ matrix.os }}-${{ matrix.dotnet }}", test.Env["TARGET"]);
        Assert.Equal(["NUGET_TOKEN"], test.Secrets);
        Assert.Equal(new RetryDefinition(2, [FailureClass.Infra, FailureClass.Timeout], null).Max, test.Retry!.Max);
        Assert.Equal([FailureClass.Infra, FailureClass.Timeout], test.Retry.On);
        Assert.Equal("inputs.target != 'none'", test.If);
        Assert.Equal(new SourceLocation("ci.yml", 12, 3), test.Location);

        var step = Assert.Single(test.Steps);
        Assert.Equal("unit tests", step.Name);
        Assert.Equal("echo \"testing $TARGET\"\ndotnet test\n", step.Run);
        Assert.Equal(TimeSpan.FromMinutes(10), step.Timeout);
        Assert.Equal("1", step.Env["VERBOSE"]);
        Assert.Null(step.If);

        var report = pipeline.Jobs[2];
        Assert.Equal("always()", report.If);
        Assert.Equal("echo done", Assert.Single(report.Steps).Name);
        Assert.Null(pipeline.Jobs[0].If);
        Assert.Null(pipeline.Jobs[0].Matrix);
    }

    [Fact]
    public void MissingOn_MeansPushPullRequestAndManual_WithoutFilters()
    {
        var pipeline = LoadValid("jobs: { build: { steps: [{ run: make }] } }");

        Assert.Equal("pipeline", pipeline.Name);
        Assert.Empty(pipeline.On.Push!.Branches);
        Assert.NotNull(pipeline.On.PullRequest);
        Assert.Empty(pipeline.On.Manual!.Inputs);
        Assert.Empty(pipeline.On.Schedule);
    }

    [Theory]
    [InlineData("on: push", true, false, false)]
    [InlineData("on: [push, manual]", true, false, true)]
    [InlineData("on: { pull_request: }", false, true, false)]
    public void On_AcceptsANameAListOrAMapping(string on, bool push, bool pullRequest, bool manual)
    {
        var pipeline = LoadValid($"{on}\njobs: {{ build: {{ steps: [{{ run: make }}] }} }}");

        Assert.Equal(push, pipeline.On.Push is not null);
        Assert.Equal(pullRequest, pipeline.On.PullRequest is not null);
        Assert.Equal(manual, pipeline.On.Manual is not null);
    }

    [Fact]
    public void ScalarsWhereStringsAreExpected_AreKeptAsTheirText()
    {
        var pipeline = LoadValid("""
            name: 42
            env: { PORT: 8080, DEBUG: true, EMPTY: }
            jobs:
              build:
                matrix: { n: [1, 2.5, true] }
                steps: [{ run: 3 }]
            """);

        Assert.Equal("42", pipeline.Name);
        Assert.Equal("8080", pipeline.Env["PORT"]);
        Assert.Equal("true", pipeline.Env["DEBUG"]);
        Assert.Equal("", pipeline.Env["EMPTY"]);
        Assert.Equal(["1", "2.5", "true"], pipeline.Jobs[0].Matrix!.Axes[0].Values);
        Assert.Equal("3", pipeline.Jobs[0].Steps[0].Run);
    }

    [Fact]
    public void ManualInputs_MayBeNullABareDefaultOrAMapping()
    {
        var pipeline = LoadValid(PipelineExamples.EveryKey);
        var inputs = pipeline.On.Manual!.Inputs;

        Assert.Equal(new ManualInput("staging", false, "where to deploy"), inputs["target"]);
        Assert.Equal(new ManualInput("value", false, null), inputs["plain"]);
        Assert.Equal(new ManualInput(null, false, null), inputs["empty"]);
        Assert.Equal(["build"], pipeline.Jobs[1].Needs);
        Assert.Equal(TimeSpan.FromSeconds(30), pipeline.Jobs[1].Retry!.Backoff);
        Assert.Equal("failure()", pipeline.Jobs[1].Steps[0].If);
        Assert.Equal("inputs.target == 'prod'", pipeline.Jobs[1].If);
    }

    [Fact]
    public void Retry_DefaultsToOneMoreAttemptOnInfraFailures()
    {
        var pipeline = LoadValid("jobs: { build: { retry: {}, steps: [{ run: make }] } }");

        Assert.Equal(1, pipeline.Jobs[0].Retry!.Max);
        Assert.Equal([FailureClass.Infra], pipeline.Jobs[0].Retry!.On);
    }

    [Fact]
    public void ExcludeThatMatchesNothing_IsAWarningNotAnError()
    {
        var result = PipelineLoader.Load("""
            jobs:
              test:
                matrix:
                  os: [debian]
                  exclude: [{ os: alpine }]
                steps: [{ run: make }]
            """, "ci.yml");

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("ci.yml:5:17: warning: this 'exclude' entry matches no combination of the matrix of 'test'", warning.ToString());
    }

    [Fact]
    public void AnchorsAndAliases_AreFollowed()
    {
        var pipeline = LoadValid("""
            jobs:
              a: &job
                steps: [{ run: make }]
              b: *job
            """);

        Assert.Equal("make", pipeline.Jobs[1].Steps[0].Run);
    }
}
