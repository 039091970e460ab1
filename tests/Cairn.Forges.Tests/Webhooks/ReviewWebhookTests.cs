using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

/// <summary>Reviews of pull requests: GitHub's <c>pull_request_review</c> (the pull_request payload's shape with a
/// <c>review</c> object) and Gitea's <c>pull_request_approved</c> / <c>_rejected</c> / <c>_comment</c> become review
/// triggers bound to the commit the reviewer saw.</summary>
public sealed class ReviewWebhookTests : IDisposable
{
    private const string ReviewedSha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    public void Dispose() => _catalog.Dispose();

    public static JsonObject GitHubReview(string state, string login = "carol", string action = "submitted", string? commit = ReviewedSha)
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["action"] = action;
        payload["review"] = new JsonObject
        {
            ["id"] = 80,
            ["user"] = new JsonObject { ["login"] = login, ["id"] = 7 },
            ["body"] = "Looks good.",
            ["commit_id"] = commit,
            ["state"] = state,
            ["submitted_at"] = "2026-12-05T10:00:00Z",
        };
        return payload;
    }

    public static JsonObject GiteaReview(string login = "carol")
    {
        var payload = Deliveries.Sample("gitea/pull_request.json");
        payload["action"] = "reviewed";
        payload["sender"] = new JsonObject { ["id"] = 3, ["login"] = login, ["username"] = login };
        payload["commit_id"] = "";
        payload["review"] = new JsonObject { ["type"] = "pull_request_review_approved", ["content"] = "ship it" };
        return payload;
    }

    [Theory]
    [InlineData("approved", "approved")]
    [InlineData("APPROVED", "approved")]
    [InlineData("changes_requested", "changes_requested")]
    [InlineData("commented", "commented")]
    public void GitHub_SubmittedReview_IsAReviewTriggerOfTheReviewedCommit(string state, string expected)
    {
        var payload = GitHubReview(state);
        var trigger = _catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request_review", payload)).Trigger();

        Assert.Equal(TriggerKind.PullRequestReview, trigger.Kind);
        Assert.Equal("pull_request_review", trigger.EventName);
        Assert.Equal(new ReviewInfo(expected, "carol", ReviewedSha, "Looks good."), trigger.Review);
        Assert.Equal(ReviewedSha, trigger.Sha);
        Assert.Equal(payload["pull_request"]!["number"]!.GetValue<int>(), trigger.PullRequest!.Number);
        Assert.Equal(payload["pull_request"]!["base"]!["ref"]!.GetValue<string>(), trigger.PullRequest.BaseBranch);
        Assert.Equal("carol", trigger.Sender);
        Assert.Equal(payload["repository"]!["full_name"]!.GetValue<string>(), trigger.Repository);
    }

    [Fact]
    public void GitHub_EditedOrDismissedReview_DecidesNothing_AndOneWithoutItsCommitTakesTheHead()
    {
        var edited = _catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request_review", GitHubReview("approved", action: "dismissed")));
        Assert.Contains("'dismissed', which decides nothing", edited.IgnoredReason(), StringComparison.Ordinal);

        var payload = GitHubReview("approved", commit: null);
        var trigger = _catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request_review", payload)).Trigger();
        Assert.Equal(payload["pull_request"]!["head"]!["sha"]!.GetValue<string>(), trigger.Review!.Sha);
    }

    [Theory]
    [InlineData("pull_request_approved", "approved")]
    [InlineData("pull_request_rejected", "changes_requested")]
    [InlineData("pull_request_comment", "commented")]
    public void Gitea_ReviewEvents_SayTheirStateByTheirName_TheReviewerIsTheSender(string eventName, string expected)
    {
        var payload = GiteaReview();
        var trigger = _catalog.Get(ForgeKind.Gitea).Parse(Deliveries.Signed(ForgeKind.Gitea, eventName, payload)).Trigger();

        Assert.Equal(TriggerKind.PullRequestReview, trigger.Kind);
        Assert.Equal(expected, trigger.Review!.State);
        Assert.Equal("carol", trigger.Review.Reviewer);
        Assert.Equal("ship it", trigger.Review.Body);
        Assert.Equal(payload["pull_request"]!["head"]!["sha"]!.GetValue<string>(), trigger.Review.Sha);
    }
}
