using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Webhooks;

/// <summary>A review submitted on a pull request, in GitHub's shape (<c>pull_request_review</c>: <c>review.state</c>,
/// <c>review.user.login</c>, <c>review.commit_id</c>) or Gitea's (<c>pull_request_approved</c>, <c>pull_request_rejected</c>,
/// <c>pull_request_comment</c>: the state is the event, the reviewer the sender, <c>review.content</c> the body), turned
/// into a <see cref="TriggerKind.PullRequestReview"/> trigger of the reviewed commit: what starts
/// <c>on.pull_request_review</c> pipelines, and what an approval gate of a run of that pull request hears.</summary>
internal static class ReviewPayloads
{
    public const string Approved = "approved";
    public const string ChangesRequested = "changes_requested";
    public const string Commented = "commented";

    /// <summary>GitHub's <c>pull_request_review</c>: only a submitted review counts (an edited or dismissed one decides nothing).</summary>
    public static WebhookEvent GitHub(string? deliveryId, WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var action = root.RequiredText("action", "action");
        if (!string.Equals(action, "submitted", StringComparison.Ordinal))
        {
            return new WebhookEvent.Ignored(
                $"a review of pull request #{root.Number("pull_request", "number")} was '{WebhookEvents.Quote(action)}', which decides nothing");
        }

        var review = root.At("review") ?? throw new WebhookFormatException("'review' is missing");
        var state = review.RequiredText("review.state", "state").ToLowerInvariant();
        return Trigger(
            ForgeKind.GitHub, deliveryId, root, action, state, review.RequiredText("review.user.login", "user", "login"), review.Text("commit_id"), review.Text("body"));
    }

    /// <summary>Gitea's (and Forgejo's) review events: the event name says approved, changes requested or commented.</summary>
    public static WebhookEvent Gitea(string eventName, string? deliveryId, WebhookRequest request)
    {
        var state = eventName switch
        {
            "pull_request_approved" or "pull_request_review_approved" => Approved,
            "pull_request_rejected" or "pull_request_review_rejected" => ChangesRequested,
            _ => Commented,
        };
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var reviewer = root.Text("sender", "login") ?? root.Text("sender", "username")
            ?? throw new WebhookFormatException("'sender.login' is missing: the review names no reviewer");
        return Trigger(
            ForgeKind.Gitea, deliveryId, root, root.Text("action") ?? "reviewed", state, reviewer, root.Text("commit_id"), root.Text("review", "content"));
    }

    private static WebhookEvent.Trigger Trigger(
        ForgeKind forge, string? deliveryId, JsonElement root, string action, string state, string reviewer, string? commit, string? body)
    {
        var repository = GitHubShapedPayloads.Repository(root);
        var pull = root.At("pull_request") ?? throw new WebhookFormatException("'pull_request' is missing");
        var (info, headRef) = GitHubShapedPayloads.PullRequestOf(pull, repository, action);
        var headSha = pull.RequiredText("pull_request.head.sha", "head", "sha");

        // The commit the reviewer saw: the review's own when the forge says, else the pull request's head.
        var seen = WebhookEvents.IsSha(commit) && !WebhookEvents.IsZero(commit!) ? commit! : headSha;
        if (WebhookEvents.PullRequest(forge, deliveryId, repository, info, headRef, seen, reviewer) is not WebhookEvent.Trigger { Event: var trigger })
        {
            throw new WebhookFormatException("the pull request of the review is not usable");
        }

        var who = trigger.Sender ?? throw new WebhookFormatException("the reviewer's login is not a usable name");
        return new WebhookEvent.Trigger(trigger with
        {
            Kind = TriggerKind.PullRequestReview,
            Review = new ReviewInfo(state, who, trigger.Sha, string.IsNullOrWhiteSpace(body) ? null : body),
        });
    }
}
