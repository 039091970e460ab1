using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Planning;

public sealed class AgentTriggerFilterTests
{
    private static TriggerRules On(string on)
    {
        var result = PipelineLoader.Load($"on: {on}\njobs: {{ a: {{ steps: [{{ run: make }}] }} }}\n", "ci.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Pipeline!.On;
    }

    private static TriggerEvent WorkItem(string action, params string[] labels) =>
        new(TriggerKind.Tracker, "acme/shop", "refs/heads/main", new string('a', 40), new Dictionary<string, string>())
        {
            WorkItem = new WorkItemInfo(1, action, "id-1", "WEB-1", "Title", null, null, labels),
        };

    private static TriggerEvent Review(string state, string baseBranch) =>
        new(TriggerKind.PullRequestReview, "acme/shop", "refs/pull/7/head", new string('a', 40), new Dictionary<string, string>())
        {
            PullRequest = new PullRequestInfo(7, "submitted", baseBranch, "feature", "acme/shop", IsFork: false),
            Review = new ReviewInfo(state, "carol", new string('a', 40)),
        };

    [Theory]
    [InlineData("{ plane: {} }", "workitem.created", "", true)]
    [InlineData("{ plane: {} }", "workitem.updated", "", false)]
    [InlineData("[plane]", "workitem.created", "", true)]
    [InlineData("{ plane: { events: [workitem.updated] } }", "workitem.updated", "", true)]
    [InlineData("{ plane: { events: [workitem.updated] } }", "workitem.created", "", false)]
    [InlineData("{ plane: { labels: [agent] } }", "workitem.created", "bug,Agent", true)]
    [InlineData("{ plane: { labels: [Agent, ai] } }", "workitem.created", "AI", true)]
    [InlineData("{ plane: { labels: [agent] } }", "workitem.created", "bug", false)]
    [InlineData("{ plane: { labels: [agent] } }", "workitem.created", "", false)]
    [InlineData("{ manual: }", "workitem.created", "agent", false)]
    [InlineData("{ push: }", "workitem.created", "agent", false)]
    public void WorkItems_MatchByEventAndLabel(string on, string action, string labels, bool runs)
    {
        var decision = TriggerFilter.Accepts(On(on), WorkItem(action, labels.Split(',', StringSplitOptions.RemoveEmptyEntries)), null);

        Assert.Equal(runs, decision.Run);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void AWorkItemEventWithoutItsWorkItem_DoesNotRun() =>
        Assert.False(TriggerFilter.Accepts(On("[plane]"), WorkItem("workitem.created") with { WorkItem = null }, null).Run);

    [Theory]
    [InlineData("[pull_request_review]", "commented", "main", true)]
    [InlineData("{ pull_request_review: { states: [approved] } }", "approved", "main", true)]
    [InlineData("{ pull_request_review: { states: [approved] } }", "changes_requested", "main", false)]
    [InlineData("{ pull_request_review: { branches: ['release/*'] } }", "approved", "release/1", true)]
    [InlineData("{ pull_request_review: { branches: ['release/*'] } }", "approved", "main", false)]
    [InlineData("{ pull_request_review: { states: [approved, commented], branches: [main] } }", "commented", "main", true)]
    [InlineData("{ pull_request: }", "approved", "main", false)]
    public void Reviews_MatchByStateAndBaseBranch(string on, string state, string baseBranch, bool runs) =>
        Assert.Equal(runs, TriggerFilter.Accepts(On(on), Review(state, baseBranch), null).Run);

    [Fact]
    public void TheReason_NamesTheLabelThatMatched() =>
        Assert.Contains("'agent'", TriggerFilter.Accepts(On("{ plane: { labels: [agent] } }"), WorkItem("workitem.created", "agent"), null).Reason, StringComparison.Ordinal);

    [Fact]
    public void PullRequestEvents_StillNeedOnPullRequest_NotReviews() =>
        Assert.False(TriggerFilter.Accepts(On("[pull_request_review]"), Review("approved", "main") with { Kind = TriggerKind.PullRequest }, null).Run);
}
