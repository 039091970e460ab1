using Cairn.Core.Forges;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitHub;

/// <summary>GitHub: webhooks signed with <c>X-Hub-Signature-256</c>, statuses through the REST API's commit statuses.</summary>
internal sealed class GitHubForge(StatusPoster sender) : IForge
{
    /// <summary>GitHub refuses longer status descriptions.</summary>
    internal const int LongestDescription = 140;

    public ForgeKind Kind => ForgeKind.GitHub;

    public string DefaultApiUrl => "https://api.github.com";

    public WebhookIdentity Identify(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-GitHub-Event");
        return new WebhookIdentity(DeliveryId(request), eventName, GitHubShapedPayloads.Repository(request));
    }

    public bool Verify(WebhookRequest request, string secret) =>
        WebhookSignature.IsValidHmac(request.Header("X-Hub-Signature-256"), "sha256=", request.Body.Span, secret);

    public WebhookEvent Parse(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-GitHub-Event");
        return eventName switch
        {
            "ping" => new WebhookEvent.Ping(),
            "push" => GitHubShapedPayloads.Push(Kind, DeliveryId(request), request),
            "pull_request" => GitHubShapedPayloads.PullRequest(Kind, DeliveryId(request), request, NormalizeAction),
            "status" => GitHubChecks.Status(request),
            "check_suite" => GitHubChecks.CheckSuite(request),
            "pull_request_review" => ReviewPayloads.GitHub(DeliveryId(request), request),
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
            ("state", State(status.State)),
            ("target_url", status.TargetUrl),
            ("description", StatusJson.Clip(status.Description, LongestDescription)),
            ("context", status.Context));
        return sender.SendAsync(
            Kind.ToWire(),
            () =>
            {
                var request = StatusJson.Post(uri, body);
                request.Headers.Accept.ParseAdd("application/vnd.github+json");
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                route.Authorize(request, "Bearer");
                return request;
            },
            alreadyDelivered: null,
            cancellationToken);
    }

    internal static string State(CommitState state) => state switch
    {
        CommitState.Pending => "pending",
        CommitState.Success => "success",
        CommitState.Failure => "failure",
        CommitState.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static string? DeliveryId(WebhookRequest request) => WebhookEvents.DeliveryId(request, "X-GitHub-Delivery");

    private static string? NormalizeAction(string action) => action switch
    {
        "opened" or "synchronize" or "reopened" => action,
        _ => null,
    };
}
