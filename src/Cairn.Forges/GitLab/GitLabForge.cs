using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitLab;

/// <summary>GitLab: webhooks carry the secret itself in <c>X-Gitlab-Token</c>; statuses go to the project's commit
/// status API, the project named by its URL-encoded path.</summary>
internal sealed class GitLabForge(StatusPoster sender) : IForge
{
    internal const int LongestDescription = 255;

    public ForgeKind Kind => ForgeKind.GitLab;

    public string DefaultApiUrl => "https://gitlab.com/api/v4";

    public WebhookIdentity Identify(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-Gitlab-Event");
        return new WebhookIdentity(DeliveryId(request), eventName, PayloadScan.Repository(request, "project", "path_with_namespace"));
    }

    public bool Verify(WebhookRequest request, string secret) =>
        WebhookSignature.IsValidToken(request.Header("X-Gitlab-Token"), secret);

    public WebhookEvent Parse(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-Gitlab-Event");
        return eventName switch
        {
            "Push Hook" or "Tag Push Hook" => Push(request),
            "Merge Request Hook" => MergeRequest(request),
            "Pipeline Hook" => GitLabChecks.Pipeline(request),
            _ => WebhookEvents.Unsupported(eventName),
        };
    }

    public Task<StatusDelivery> ReportStatusAsync(StatusTarget target, CommitStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(status);
        if (!StatusRoute.TryCreate(target, DefaultApiUrl, RepositoryShape.Path, out var route, out var problem))
        {
            return Task.FromResult<StatusDelivery>(new StatusDelivery.Rejected(problem));
        }

        var state = State(status.State);
        var uri = route.Endpoint($"projects/{Uri.EscapeDataString(route.Repository)}/statuses/{route.Sha}");
        var body = StatusJson.Write(
            ("state", state),
            ("name", status.Context),
            ("target_url", status.TargetUrl),
            ("description", StatusJson.Clip(status.Description, LongestDescription)));
        return sender.SendAsync(
            Kind.ToWire(),
            () =>
            {
                var request = StatusJson.Post(uri, body);
                if (route.Token is { } token)
                {
                    request.Headers.Add("PRIVATE-TOKEN", token);
                }

                return request;
            },
            reply => IsAlreadyInState(reply, state),
            cancellationToken);
    }

    /// <summary>Cairn's states in GitLab's words. An <see cref="CommitState.Error"/> (Cairn could not run the
    /// pipeline) is <c>failed</c>: <c>canceled</c> would say that someone stopped it.</summary>
    internal static string State(CommitState state) => state switch
    {
        CommitState.Pending => "pending",
        CommitState.Success => "success",
        CommitState.Failure => "failed",
        CommitState.Error => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>GitLab refuses a status that is already in the state asked for ("Cannot transition status via
    /// :enqueue from :pending"); the commit already shows what was meant, so that counts as delivered.</summary>
    private static bool IsAlreadyInState(ForgeReply reply, string state) =>
        reply.Status == 400 &&
        reply.Message.Contains("Cannot transition status", StringComparison.Ordinal) &&
        reply.Message.Contains($"from :{state}", StringComparison.Ordinal);

    private static string? DeliveryId(WebhookRequest request) => WebhookEvents.DeliveryId(request, "X-Gitlab-Event-UUID");

    private static string Project(JsonElement root) =>
        WebhookEvents.Repository(root.Text("project", "path_with_namespace"), "project.path_with_namespace");

    private WebhookEvent Push(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        return WebhookEvents.Push(
            Kind,
            DeliveryId(request),
            Project(root),
            root.RequiredText("ref", "ref"),
            root.Text("before"),
            root.RequiredText("after", "after"),
            deleted: false,
            sender: root.Text("user_username"));
    }

    /// <summary>GitLab names a merge request's author only by id; <c>user</c> is whoever acted, the author when the ids
    /// agree (or when the payload gives no author id). Otherwise the author is said by id.</summary>
    private static string? Author(JsonElement root, JsonElement attributes)
    {
        var actor = root.Text("user", "username");
        return attributes.Number("author_id") is { } authorId && root.Number("user", "id") is { } actorId && authorId != actorId
            ? $"user #{authorId}"
            : actor;
    }

    private WebhookEvent MergeRequest(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var project = Project(root);
        var attributes = root.At("object_attributes") ?? throw new WebhookFormatException("'object_attributes' is missing");
        var number = attributes.RequiredNumber("object_attributes.iid", "iid");
        var action = attributes.Text("action") ?? "";
        var normalized = action switch
        {
            "open" => "opened",
            "reopen" => "reopened",

            // An update without oldrev changed the title, labels or the like, not the commits.
            "update" when attributes.Text("oldrev") is { Length: > 0 } => "synchronize",
            _ => null,
        };
        if (normalized is null)
        {
            return new WebhookEvent.Ignored(action == "update"
                ? $"merge request !{number} was updated without new commits"
                : $"merge request !{number} was '{WebhookEvents.Quote(action)}', which starts nothing");
        }

        var targetProject = attributes.Text("target", "path_with_namespace") ?? project;
        var sourceProject = attributes.Text("source", "path_with_namespace");
        var isFork = attributes.Number("source_project_id") is { } sourceId && attributes.Number("target_project_id") is { } targetId
            ? sourceId != targetId
            : !string.Equals(sourceProject, targetProject, StringComparison.OrdinalIgnoreCase);
        var sourceBranch = attributes.RequiredText("object_attributes.source_branch", "source_branch");
        var info = new PullRequestInfo(
            number,
            normalized,
            attributes.RequiredText("object_attributes.target_branch", "target_branch"),
            sourceBranch,
            sourceProject,
            isFork,
            BaseSha: null,
            attributes.Text("title"),
            Author(root, attributes));

        // GitLab keeps every merge request's head, a fork's included, under refs/merge-requests/<iid>/head.
        var headRef = isFork ? $"refs/merge-requests/{number}/head" : $"refs/heads/{sourceBranch}";
        return WebhookEvents.PullRequest(
            Kind,
            DeliveryId(request),
            project,
            info,
            headRef,
            attributes.RequiredText("object_attributes.last_commit.id", "last_commit", "id"),
            root.Text("user", "username"));
    }
}
