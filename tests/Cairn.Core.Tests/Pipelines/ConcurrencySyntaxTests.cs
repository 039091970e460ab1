using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Pipelines;

public sealed class ConcurrencySyntaxTests
{
    private const string Jobs = "jobs: { a: { steps: [{ run: make }] } }\n";

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

    [Fact]
    public void ShortForm_IsTheGroup_WithoutCancelling()
    {
        var pipeline = Load("concurrency: deploy\n" + Jobs);

        Assert.Equal(new ConcurrencyDefinition("deploy", false, new SourceLocation("ci.yml", 1, 14)), pipeline.Concurrency);
    }

    [Fact]
    public void LongForm_ReadsGroupAndCancelInProgress()
    {
        var pipeline = Load("""
            on: { push: , manual: { inputs: { target: staging } } }
            concurrency:
              group: "deploy-${{ inputs.target }}-${{ cairn.ref }}"
              cancel-in-progress: true
            jobs: { a: { steps: [{ run: make }] } }
            """);

        Assert.Equal("deploy-${{ inputs.target }}-${{ cairn.ref }}", pipeline.Concurrency!.Group);
        Assert.True(pipeline.Concurrency.CancelInProgress);
    }

    [Fact]
    public void WithoutConcurrency_ThereIsNone() => Assert.Null(Load(Jobs).Concurrency);

    [Theory]
    [InlineData("concurrency:\n", "ci.yml:1:13: error: 'concurrency' is empty; give a group, like concurrency: deploy-${{ cairn.branch }} or { group: deploy, cancel-in-progress: true }")]
    [InlineData("concurrency: [a, b]\n", "ci.yml:1:14: error: 'concurrency' must be a group name or a mapping of group and cancel-in-progress, like concurrency: deploy-${{ cairn.branch }} or { group: deploy, cancel-in-progress: true }")]
    [InlineData("concurrency: { cancel-in-progress: true }\n", "ci.yml:1:14: error: 'concurrency' needs a 'group', like concurrency: deploy-${{ cairn.branch }} or { group: deploy, cancel-in-progress: true }")]
    [InlineData("concurrency: { group: x, cancel-in-progress: maybe }\n", "ci.yml:1:46: error: 'cancel-in-progress' must be true or false, not 'maybe'")]
    [InlineData("concurrency: { group: [x] }\n", "ci.yml:1:23: error: 'group' must be a name, like deploy-${{ cairn.branch }}")]
    [InlineData("concurrency: { group: '  ' }\n", "ci.yml:1:23: error: the concurrency group is empty; name it, like deploy-${{ cairn.branch }}")]
    [InlineData("concurrency: \"ci-${{ cairn.brnch }}\"\n", "ci.yml:1:28: error: unknown cairn key 'brnch'; did you mean 'branch'? (keys: ref, branch, tag, sha, event, repository)")]
    [InlineData("concurrency: \"ci-${{ env.X }}\"\n", "ci.yml:1:22: error: concurrency.group can read only inputs and cairn, not env")]
    [InlineData("concurrency: \"ci-${{ matrix.os }}\"\n", "ci.yml:1:22: error: concurrency.group can read only inputs and cairn, not matrix")]
    [InlineData("concurrency: \"ci-${{ inputs.target }}\"\n", "ci.yml:1:29: error: no inputs are declared under on.manual.inputs")]
    [InlineData("concurrency: \"ci-${{ success() }}\"\n", "ci.yml:1:22: error: status functions such as success() can only be used in if:")]
    [InlineData("concurrency: \"ci-${{ cairn.ref\"\n", "ci.yml:1:18: error: '${{' is not closed: end the expression with '}}'")]
    public void Mistakes_AreErrorsAtTheirPlace(string concurrency, string error) =>
        Assert.Equal([error], Errors(concurrency + Jobs));

    [Fact]
    public void UnknownKey_SuggestsTheClosest() =>
        Assert.Contains(
            "ci.yml:1:16: error: unknown key 'grup' in 'concurrency'; did you mean 'group'?",
            Errors("concurrency: { grup: x }\n" + Jobs));

    [Theory]
    [InlineData("jobs:\n  a:\n    env: { B: \"${{ cairn.branch }}\" }\n    steps: [{ run: make }]\n", "ci.yml:3:20")]
    [InlineData("env: { B: \"${{ cairn.branch }}\" }\njobs: { a: { steps: [{ run: make }] } }\n", "ci.yml:1:16")]
    [InlineData("jobs:\n  a:\n    if: cairn.branch == 'main'\n    steps: [{ run: make }]\n", "ci.yml:3:9")]
    [InlineData("jobs:\n  a:\n    image: \"debian:${{ cairn.tag }}\"\n    steps: [{ run: make }]\n", "ci.yml:3:24")]
    [InlineData("jobs:\n  a:\n    steps: [{ name: \"${{ cairn.sha }}\", run: make }]\n", "ci.yml:3:26")]
    public void TheCairnContext_IsReadableOnlyInTheConcurrencyGroup(string yaml, string place) =>
        Assert.Equal(
            [$"{place}: error: the cairn context can only be read in concurrency.group; steps see the event as $CAIRN_BRANCH, $CAIRN_SHA and the like"],
            Errors(yaml));

    private static PlanResult Plan(string yaml, TriggerEvent trigger) => RunPlanner.Plan(Load(yaml), trigger);

    private static TriggerEvent Push(string gitRef) =>
        new(TriggerKind.Push, "acme/shop", gitRef, "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string>());

    [Fact]
    public void Planner_ExpandsTheGroup_WithTheEventAndInputs()
    {
        const string Yaml = """
            on: { push: , manual: { inputs: { target: { default: staging } } } }
            concurrency: { group: "${{ cairn.repository }}/${{ cairn.event }}/${{ cairn.branch }}${{ cairn.tag }}/${{ inputs.target }}", cancel-in-progress: true }
            jobs: { a: { steps: [{ run: make }] } }
            """;

        var branch = Plan(Yaml, Push("refs/heads/feature/x"));
        var tag = Plan(Yaml, Push("refs/tags/v1.0"));
        var manual = Plan(Yaml, TriggerEvent.Manual("acme/shop", "refs/heads/main", null, new Dictionary<string, string> { ["target"] = "prod" }));

        Assert.Equal("acme/shop/push/feature/x/staging", branch.ConcurrencyGroup);
        Assert.True(branch.CancelInProgress);
        Assert.Equal("acme/shop/push/v1.0/staging", tag.ConcurrencyGroup);
        Assert.Equal("acme/shop/manual/main/prod", manual.ConcurrencyGroup);
    }

    [Fact]
    public void Planner_ReadsRefAndSha()
    {
        var result = Plan("concurrency: \"${{ cairn.ref }}@${{ cairn.sha }}\"\n" + Jobs, Push("refs/heads/main"));

        Assert.Equal("refs/heads/main@0123456789abcdef0123456789abcdef01234567", result.ConcurrencyGroup);
        Assert.False(result.CancelInProgress);
    }

    [Fact]
    public void Planner_PutsAForksGroupUnderItsPullRequest_AndLeavesOtherPullRequestsAlone()
    {
        const string Yaml = "concurrency: { group: deploy-prod, cancel-in-progress: true }\n" + Jobs;
        TriggerEvent PullRequest(bool fork) => new(TriggerKind.PullRequest, "acme/shop", "refs/pull/7/head", "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string>())
        {
            PullRequest = new PullRequestInfo(7, "opened", "main", "topic", fork ? "mallory/shop" : "acme/shop", fork),
        };

        var fromFork = Plan(Yaml, PullRequest(fork: true));
        var fromBranch = Plan(Yaml, PullRequest(fork: false));
        var emptyFromFork = Plan("concurrency: { group: \"${{ cairn.tag }}\", cancel-in-progress: true }\n" + Jobs, PullRequest(fork: true));

        Assert.Equal(("fork-pr-7/deploy-prod", true), (fromFork.ConcurrencyGroup, fromFork.CancelInProgress));
        Assert.Equal("deploy-prod", fromBranch.ConcurrencyGroup);
        Assert.Null(emptyFromFork.ConcurrencyGroup);
    }

    [Fact]
    public void Planner_GivesNoGroup_WhenThePipelineHasNone_OrItExpandsToNothing()
    {
        var none = Plan(Jobs, Push("refs/heads/main"));
        var empty = Plan("concurrency: { group: \"${{ cairn.tag }}\", cancel-in-progress: true }\n" + Jobs, Push("refs/heads/main"));

        Assert.NotNull(none.Plan);
        Assert.Null(none.ConcurrencyGroup);
        Assert.Null(empty.ConcurrencyGroup);
        Assert.False(empty.CancelInProgress);
        Assert.NotNull(empty.Plan);
    }
}
