using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitHub;

/// <summary>GitHub's commit-state events (docs.github.com/webhooks/webhook-events-and-payloads): <c>status</c>
/// (<c>sha</c>, <c>state</c> pending/success/failure/error, <c>context</c>) and <c>check_suite</c> (<c>action</c>
/// completed, <c>check_suite.head_sha</c>, <c>check_suite.conclusion</c>, <c>check_suite.app.name</c>). Gitea's
/// <c>status</c> event has the same fields.</summary>
internal static class GitHubChecks
{
    public static WebhookEvent Status(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        GitHubShapedPayloads.Repository(root);
        var state = root.Text("state");
        var mapped = state switch
        {
            "pending" => CheckStates.Pending,
            "success" => CheckStates.Passing,
            "failure" or "error" => CheckStates.Failing,
            _ => null,
        };
        return CheckStates.Event("status", root.Text("sha"), mapped, CheckStates.Detail(root.Text("context"), state));
    }

    public static WebhookEvent CheckSuite(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        GitHubShapedPayloads.Repository(root);
        var action = root.Text("action");
        var suite = root.At("check_suite");
        var sha = suite?.Text("head_sha");
        var name = suite?.Text("app", "name");
        if (action is "requested" or "rerequested")
        {
            return CheckStates.Event("check suite", sha, CheckStates.Pending, CheckStates.Detail(name, "requested"));
        }

        if (action != "completed")
        {
            return new WebhookEvent.Ignored($"check suite was '{WebhookEvents.Quote(action ?? "")}', which says nothing of its checks");
        }

        var conclusion = suite?.Text("conclusion");
        var mapped = conclusion switch
        {
            "success" or "neutral" or "skipped" => CheckStates.Passing,
            "failure" or "timed_out" or "cancelled" or "action_required" or "startup_failure" or "stale" => CheckStates.Failing,
            _ => null,
        };
        return CheckStates.Event("check suite", sha, mapped, CheckStates.Detail(name, conclusion));
    }
}
