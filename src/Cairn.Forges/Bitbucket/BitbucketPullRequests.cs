using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Publishing;
using Cairn.Forges.PullRequests;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Bitbucket;

/// <summary>Bitbucket Cloud's pull requests (REST 2.0, developer.atlassian.com/cloud/bitbucket/rest/api-group-pullrequests):
/// the branch's open pull request is looked up (<c>GET /2.0/repositories/{workspace}/{repo_slug}/pullrequests?state=OPEN&amp;q=source.branch.name="…"</c>)
/// and its title and description updated (<c>PUT …/pullrequests/{pull_request_id}</c>); else one is created
/// (<c>POST …/pullrequests</c> with <c>draft: true</c>). Both answer with <c>id</c> and <c>links.html.href</c>.
/// No merge is ever asked.</summary>
internal sealed class BitbucketPullRequests(PullRequestClient client) : IPullRequestForge
{
    private const string Forge = "bitbucket";

    public async Task<PullRequestResult> OpenOrUpdateAsync(PullRequestTarget target, PullRequestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        if (!PullRequestClient.TryRoute(target, "https://api.bitbucket.org", RepositoryShape.OwnerAndName, out var route, out var problem))
        {
            return new PullRequestResult.Rejected(problem);
        }

        if (request.Head.Contains('"', StringComparison.Ordinal) || request.Head.Contains('\\', StringComparison.Ordinal))
        {
            return new PullRequestResult.Rejected($"the branch '{request.Head}' cannot be looked up on bitbucket");
        }

        var pulls = $"2.0/repositories/{route.Segment(0)}/{route.Segment(1)}/pullrequests";
        var query = Uri.EscapeDataString($"source.branch.name=\"{request.Head}\"");
        var (found, failure) = await client.SendAsync(Forge, () => Make(HttpMethod.Get, route.Endpoint($"{pulls}?state=OPEN&q={query}"), null, route), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (found?.At("values") is { ValueKind: JsonValueKind.Array } values && values.GetArrayLength() > 0 && values[0].Number("id") is { } id)
        {
            var update = new JsonObject { ["title"] = request.Title, ["description"] = request.Body };
            var (updated, refused) = await client.SendAsync(Forge, () => Make(HttpMethod.Put, route.Endpoint($"{pulls}/{id}"), update, route), cancellationToken);
            return refused ?? PullRequestClient.Opened(Forge, updated!.Value, "id", Page, created: false);
        }

        var create = new JsonObject
        {
            ["title"] = request.Title,
            ["description"] = request.Body,
            ["source"] = new JsonObject { ["branch"] = new JsonObject { ["name"] = request.Head } },
            ["destination"] = new JsonObject { ["branch"] = new JsonObject { ["name"] = request.Base } },
            ["draft"] = request.Draft,
            ["close_source_branch"] = false,
        };
        var (opened, rejected) = await client.SendAsync(Forge, () => Make(HttpMethod.Post, route.Endpoint(pulls), create, route), cancellationToken);
        return rejected ?? PullRequestClient.Opened(Forge, opened!.Value, "id", Page, created: true);
    }

    private static string? Page(JsonElement body) => body.Text("links", "html", "href");

    private static HttpRequestMessage Make(HttpMethod method, Uri uri, JsonObject? body, StatusRoute route)
    {
        var request = PullRequestClient.Request(method, uri, body);
        BitbucketForge.Authorize(request, route.Token);
        return request;
    }
}
