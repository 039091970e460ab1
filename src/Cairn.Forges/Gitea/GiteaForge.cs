using Cairn.Core.Forges;
using Cairn.Forges.GitHub;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Gitea;

/// <summary>Gitea and Forgejo (which sends the same payloads under <c>X-Forgejo-*</c> headers as well): webhooks
/// signed with a bare hex HMAC, statuses through the GitHub-like commit status API.</summary>
internal sealed class GiteaForge(StatusPoster sender) : IForge
{
    internal const int LongestDescription = 255;

    private static readonly string[] EventHeaders = ["X-Forgejo-Event", "X-Gitea-Event"];
    private static readonly string[] DeliveryHeaders = ["X-Forgejo-Delivery", "X-Gitea-Delivery"];

    public ForgeKind Kind => ForgeKind.Gitea;

    public string DefaultApiUrl => "https://gitea.com/api/v1";

    public WebhookIdentity Identify(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, EventHeaders);
        return new WebhookIdentity(DeliveryId(request), eventName, GitHubShapedPayloads.Repository(request));
    }

    /// <summary>Forgejo sends both signature headers; whichever is there first is checked.</summary>
    public bool Verify(WebhookRequest request, string secret) =>
        WebhookSignature.IsValidHmac(request.Header("X-Forgejo-Signature") ?? request.Header("X-Gitea-Signature"), "", request.Body.Span, secret);

    public WebhookEvent Parse(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, EventHeaders);
        return eventName switch
        {
            "push" => GitHubShapedPayloads.Push(Kind, DeliveryId(request), request),
            "pull_request" => GitHubShapedPayloads.PullRequest(Kind, DeliveryId(request), request, NormalizeAction),
            "status" => GitHubChecks.Status(request),
            "pull_request_approved" or "pull_request_rejected" or "pull_request_comment"
                or "pull_request_review_approved" or "pull_request_review_rejected" or "pull_request_review_comment" =>
                ReviewPayloads.Gitea(eventName, DeliveryId(request), request),
            _ => WebhookEvents.Unsupported(eventName),
        };
    }

    public Task<StatusDelivery> ReportStatusAsync(StatusTarget target, CommitStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(status);
        if (!StatusRoute.TryCreate(target, DefaultApiUrl, RepositoryShape.OwnerAndName, out var route, out var problem))
        {
            return Task.FromResult<StatusDelivery>(new StatusDelivery.Rejected(problem));
        }

        var uri = route.Endpoint($"repos/{route.Segment(0)}/{route.Segment(1)}/statuses/{route.Sha}");
        var body = StatusJson.Write(
            ("state", GitHubForge.State(status.State)),
            ("target_url", status.TargetUrl),
            ("description", StatusJson.Clip(status.Description, LongestDescription)),
            ("context", status.Context));
        return sender.SendAsync(
            Kind.ToWire(),
            () =>
            {
                var request = StatusJson.Post(uri, body);
                route.Authorize(request, "token");
                return request;
            },
            alreadyDelivered: null,
            cancellationToken);
    }

    private static string? DeliveryId(WebhookRequest request) => WebhookEvents.DeliveryId(request, DeliveryHeaders);

    /// <summary>Gitea says <c>synchronized</c> where GitHub says <c>synchronize</c>.</summary>
    private static string? NormalizeAction(string action) => action switch
    {
        "opened" or "reopened" => action,
        "synchronized" or "synchronize" => "synchronize",
        _ => null,
    };
}
