using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Bitbucket;

/// <summary>Bitbucket Cloud: webhooks signed with <c>X-Hub-Signature</c> (<c>sha256=</c> and a hex HMAC), statuses as
/// build statuses on the commit.</summary>
internal sealed class BitbucketForge(StatusPoster sender) : IForge
{
    internal const int LongestDescription = 255;

    /// <summary>Bitbucket's longest build status key.</summary>
    internal const int LongestKey = 40;

    public ForgeKind Kind => ForgeKind.Bitbucket;

    public string DefaultApiUrl => "https://api.bitbucket.org";

    public WebhookIdentity Identify(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-Event-Key");
        return new WebhookIdentity(DeliveryId(request), eventName, PayloadScan.Repository(request, "repository", "full_name"));
    }

    public bool Verify(WebhookRequest request, string secret) =>
        WebhookSignature.IsValidHmac(request.Header("X-Hub-Signature"), "sha256=", request.Body.Span, secret);

    public WebhookEvent Parse(WebhookRequest request)
    {
        var eventName = WebhookEvents.EventName(request, "X-Event-Key");
        return eventName switch
        {
            "repo:push" => Push(request),
            "pullrequest:created" => PullRequest(request, "opened"),

            // Bitbucket does not say what an update changed; an update may bring new commits, so it counts as one.
            "pullrequest:updated" => PullRequest(request, "synchronize"),
            "repo:commit_status_created" or "repo:commit_status_updated" => BitbucketChecks.CommitStatus(request),
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

        var path = $"repositories/{route.Segment(0)}/{route.Segment(1)}/commit/{route.Sha}/statuses/build";
        var uri = route.Endpoint($"2.0/{path}");
        var body = StatusJson.Write(
            ("state", State(status.State)),
            ("key", Key(status.Context)),
            ("name", status.Context),
            ("url", status.TargetUrl ?? CommitPage(route)),
            ("description", StatusJson.Clip(status.Description, LongestDescription)));
        return sender.SendAsync(
            Kind.ToWire(),
            () =>
            {
                var request = StatusJson.Post(uri, body);
                Authorize(request, route.Token);
                return request;
            },
            alreadyDelivered: null,
            cancellationToken);
    }

    /// <summary>Cairn's states in Bitbucket's words; <c>STOPPED</c> would say someone stopped the build, so an
    /// <see cref="CommitState.Error"/> is <c>FAILED</c>.</summary>
    internal static string State(CommitState state) => state switch
    {
        CommitState.Pending => "INPROGRESS",
        CommitState.Success => "SUCCESSFUL",
        CommitState.Failure => "FAILED",
        CommitState.Error => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The context when it fits in a key; otherwise its start and a hash of the whole, so that long
    /// contexts stay distinct and the same context always gets the same key.</summary>
    internal static string Key(string context)
    {
        if (context.Length <= LongestKey)
        {
            return context;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context)))[..12];
        var start = context[..(LongestKey - hash.Length - 1)];
        if (char.IsHighSurrogate(start[^1]))
        {
            start = start[..^1];
        }

        return $"{start}-{hash}";
    }

    /// <summary>A repository access token is a bearer token; <c>user:secret</c> (an app password or an API token with
    /// its account's email) goes as basic authentication.</summary>
    internal static void Authorize(HttpRequestMessage request, string? token)
    {
        if (token is null)
        {
            return;
        }

        request.Headers.Authorization = token.Contains(':', StringComparison.Ordinal)
            ? new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(token)))
            : new("Bearer", token);
    }

    /// <summary>Bitbucket requires a url on every status; without one of Cairn's, the commit's own page.</summary>
    private static string CommitPage(StatusRoute route)
    {
        var api = new Uri(route.ApiBase);
        var host = api.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase) ? api.Host[4..] : api.Host;
        var authority = api.IsDefaultPort ? host : $"{host}:{api.Port}";
        return $"{api.Scheme}://{authority}/{route.Segment(0)}/{route.Segment(1)}/commits/{route.Sha}";
    }

    private static string? DeliveryId(WebhookRequest request) => WebhookEvents.DeliveryId(request, "X-Request-UUID");

    private static string Repository(JsonElement root) =>
        WebhookEvents.Repository(root.Text("repository", "full_name"), "repository.full_name");

    private static string? Actor(JsonElement root) => root.Text("actor", "nickname") ?? root.Text("actor", "display_name");

    /// <summary>A push lists the refs it changed; the first is the one acted on.</summary>
    private WebhookEvent Push(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var repository = Repository(root);
        if (root.At("push", "changes") is not { ValueKind: JsonValueKind.Array } changes)
        {
            throw new WebhookFormatException("'push.changes' is missing");
        }

        if (changes.GetArrayLength() == 0)
        {
            return new WebhookEvent.Ignored("the push changed no branch or tag");
        }

        var change = changes[0];
        if (change.At("new") is not { ValueKind: JsonValueKind.Object } created)
        {
            var old = change.Text("old", "name") is { } name ? $"{change.Text("old", "type") ?? "ref"} '{WebhookEvents.Quote(name)}'" : "a ref";
            return new WebhookEvent.Ignored($"{old} was deleted");
        }

        var newName = created.RequiredText("push.changes[0].new.name", "name");
        var type = created.Text("type");
        var gitRef = type switch
        {
            "branch" => $"refs/heads/{newName}",
            "tag" => $"refs/tags/{newName}",
            _ => null,
        };
        if (gitRef is null)
        {
            return new WebhookEvent.Ignored($"a push to a '{WebhookEvents.Quote(type ?? "")}' is neither to a branch nor to a tag");
        }

        return WebhookEvents.Push(
            Kind,
            DeliveryId(request),
            repository,
            gitRef,
            change.Text("old", "target", "hash"),
            created.RequiredText("push.changes[0].new.target.hash", "target", "hash"),
            deleted: false,
            sender: Actor(root));
    }

    private WebhookEvent PullRequest(WebhookRequest request, string action)
    {
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var repository = Repository(root);
        var pull = root.At("pullrequest") ?? throw new WebhookFormatException("'pullrequest' is missing");
        var number = pull.RequiredNumber("pullrequest.id", "id");
        if (pull.Text("state") is { } state && state != "OPEN")
        {
            return new WebhookEvent.Ignored($"pull request #{number} is {WebhookEvents.Quote(state.ToLowerInvariant())}");
        }

        var baseRepository = pull.Text("destination", "repository", "full_name") ?? repository;
        var headRepository = pull.Text("source", "repository", "full_name");
        var headBranch = pull.RequiredText("pullrequest.source.branch.name", "source", "branch", "name");
        var info = new PullRequestInfo(
            number,
            action,
            pull.RequiredText("pullrequest.destination.branch.name", "destination", "branch", "name"),
            headBranch,
            headRepository,
            headRepository is null || !string.Equals(headRepository, baseRepository, StringComparison.OrdinalIgnoreCase),
            pull.Text("destination", "commit", "hash"),
            pull.Text("title"),
            pull.Text("author", "nickname") ?? pull.Text("author", "username") ?? pull.Text("author", "display_name"));

        // Bitbucket keeps no ref for a pull request's head: the run fetches the source branch, from
        // HeadRepository when that is a fork.
        return WebhookEvents.PullRequest(
            Kind,
            DeliveryId(request),
            repository,
            info,
            $"refs/heads/{headBranch}",
            pull.RequiredText("pullrequest.source.commit.hash", "source", "commit", "hash"),
            Actor(root));
    }
}
