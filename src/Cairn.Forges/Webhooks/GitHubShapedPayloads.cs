using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Webhooks;

/// <summary>Push and pull-request payloads in GitHub's shape, which Gitea and Forgejo copy field for field where
/// Cairn reads them (<c>ref</c>, <c>before</c>, <c>after</c>, <c>pull_request.head</c>/<c>base</c>/<c>user.login</c>,
/// <c>sender.login</c>).</summary>
internal static class GitHubShapedPayloads
{
    /// <summary>The repository a delivery names, read without building a document (see <see cref="PayloadScan"/>).</summary>
    public static string Repository(WebhookRequest request) => PayloadScan.Repository(request, "repository", "full_name");

    public static string Repository(JsonElement root) =>
        WebhookEvents.Repository(root.Text("repository", "full_name"), "repository.full_name");

    public static WebhookEvent Push(ForgeKind forge, string? deliveryId, WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        return WebhookEvents.Push(
            forge,
            deliveryId,
            Repository(root),
            root.RequiredText("ref", "ref"),
            root.Text("before"),
            root.RequiredText("after", "after"),
            deleted: root.IsTrue("deleted"),
            sender: root.Text("sender", "login") ?? root.Text("pusher", "name"));
    }

    /// <param name="normalize">The forge's action as <c>opened</c>, <c>synchronize</c> or <c>reopened</c>, or null for an
    /// action that starts nothing.</param>
    public static WebhookEvent PullRequest(ForgeKind forge, string? deliveryId, WebhookRequest request, Func<string, string?> normalize)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var repository = Repository(root);
        var action = root.RequiredText("action", "action");
        var number = root.Number("number") ?? root.Number("pull_request", "number");
        if (normalize(action) is not { } normalized)
        {
            return new WebhookEvent.Ignored($"pull request #{number} was '{WebhookEvents.Quote(action)}', which starts nothing");
        }

        var pull = root.At("pull_request") ?? throw new WebhookFormatException("'pull_request' is missing");
        var (info, headRef) = PullRequestOf(pull, repository, normalized);
        return WebhookEvents.PullRequest(
            forge, deliveryId, repository, info, headRef, pull.RequiredText("pull_request.head.sha", "head", "sha"), root.Text("sender", "login"));
    }

    /// <summary>The pull request a payload's <c>pull_request</c> object describes, and the ref its head is fetched through.</summary>
    public static (PullRequestInfo Info, string HeadRef) PullRequestOf(JsonElement pull, string repository, string action)
    {
        var prNumber = pull.RequiredNumber("pull_request.number", "number");
        var baseRepository = pull.Text("base", "repo", "full_name") ?? repository;
        var headRepository = pull.Text("head", "repo", "full_name");
        var headBranch = pull.RequiredText("pull_request.head.ref", "head", "ref");

        // A deleted fork leaves head.repo null; it is still someone else's code.
        var isFork = headRepository is null || !string.Equals(headRepository, baseRepository, StringComparison.OrdinalIgnoreCase);
        var info = new PullRequestInfo(
            prNumber,
            action,
            pull.RequiredText("pull_request.base.ref", "base", "ref"),
            headBranch,
            headRepository,
            isFork,
            pull.Text("base", "sha"),
            pull.Text("title"),
            pull.Text("user", "login") ?? pull.Text("user", "username"));

        // A fork's branch is not in this repository; its head is fetched through the ref the forge keeps for it.
        var headRef = isFork ? $"refs/pull/{prNumber}/head" : $"refs/heads/{headBranch}";
        return (info, headRef);
    }
}
