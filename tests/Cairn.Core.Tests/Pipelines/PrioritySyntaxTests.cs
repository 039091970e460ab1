using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PrioritySyntaxTests
{
    private static Pipeline Load(string yaml)
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

    private static Dictionary<string, JobPriority> Planned(string yaml)
    {
        var trigger = new TriggerEvent(TriggerKind.Push, "acme/app", "refs/heads/main", "abc123", new Dictionary<string, string>());
        var result = RunPlanner.Plan(Load(yaml), trigger);
        Assert.Empty(result.Errors);
        return result.Plan!.Jobs.ToDictionary(j => j.Name, j => j.Priority);
    }

    [Fact]
    public void Priority_IsReadOnThePipelineAndOnAJob()
    {
        var pipeline = Load("""
            priority: low
            jobs:
              build: { priority: high, steps: [{ run: make }] }
              lint: { steps: [{ run: make lint }] }
            """);

        Assert.Equal(JobPriority.Low, pipeline.Priority);
        Assert.Equal([JobPriority.High, null], pipeline.Jobs.Select(j => j.Priority));
    }

    [Fact]
    public void ThePlan_TakesTheJobsPriority_ElseThePipelines_ElseNormal()
    {
        Assert.Equal(
            new Dictionary<string, JobPriority> { ["build"] = JobPriority.High, ["lint"] = JobPriority.Low },
            Planned("""
                priority: low
                jobs:
                  build: { priority: high, steps: [{ run: make }] }
                  lint: { steps: [{ run: make lint }] }
                """));

        Assert.Equal(
            new Dictionary<string, JobPriority> { ["test (1)"] = JobPriority.Normal, ["test (2)"] = JobPriority.Normal, ["ship"] = JobPriority.Low },
            Planned("""
                jobs:
                  test: { matrix: { n: [1, 2] }, steps: [{ run: make test }] }
                  ship: { priority: low, needs: test, steps: [{ run: make ship }] }
                """));
    }

    [Theory]
    [InlineData("priority: urgent\njobs: { a: { steps: [{ run: make }] } }\n", "ci.yml:1:11: error: unknown priority 'urgent'; expected one of: high, normal, low")]
    [InlineData("priority: hihg\njobs: { a: { steps: [{ run: make }] } }\n", "ci.yml:1:11: error: unknown priority 'hihg'; did you mean 'high'?")]
    [InlineData("jobs:\n  a:\n    priority: [high]\n    steps: [{ run: make }]\n", "ci.yml:3:15: error: 'priority' must be one of: high, normal, low")]
    [InlineData("jobs:\n  a:\n    priority:\n    steps: [{ run: make }]\n", "ci.yml:3:14: error: 'priority' is empty; give one of: high, normal, low")]
    [InlineData("jobs:\n  a:\n    priority: Low\n    steps: [{ run: make }]\n", "ci.yml:3:15: error: unknown priority 'Low'; did you mean 'low'?")]
    [InlineData("jobs:\n  a:\n    priorty: low\n    steps: [{ run: make }]\n", "ci.yml:3:5: error: unknown key 'priorty' in job 'a'; did you mean 'priority'?")]
    public void Mistakes_AreErrorsAtTheirPlace(string yaml, string error) =>
        Assert.Equal([error], Errors(yaml));
}
