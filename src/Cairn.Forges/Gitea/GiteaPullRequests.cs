using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Publishing;
using Cairn.Forges.PullRequests;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Gitea;

/// <summary>Gitea's (and Forgejo's) pull requests (API v1, <c>/api/swagger</c>): the open pull requests are listed
/// (<c>GET /repos/{owner}/{repo}/pulls?state=open</c>) and the one whose <c>head.ref</c> is the branch is updated
/// (<c>PATCH /repos/{owner}/{repo}/pulls/{index}</c>); else one is created (<c>POST /repos/{owner}/{repo}/pulls</c>).
/// Gitea has no draft flag: it reads a title starting with <c>WIP:</c> as work in progress. Both answer with
/// <c>number</c> and <c>html_url</c>. No merge is ever asked.</summary>
internal sealed class GiteaPullRequests(PullRequestClient client) : IPullRequestForge
{
    private const string Forge = "gitea";
    private const string DraftPrefix = "WIP: ";
    private const int Pages = 5;

    public async Task<PullRequestResult> OpenOrUpdateAsync(PullRequestTarget target, PullRequestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        if (!PullRequestClient.TryRoute(target, "https://gitea.com/api/v1", RepositoryShape.OwnerAndName, out var route, out var problem))
        {
            return new PullRequestResult.Rejected(problem);
        }

        var pulls = $"repos/{route.Segment(0)}/{route.Segment(1)}/pulls";
        var title = request.Draft && !request.Title.StartsWith(DraftPrefix, StringComparison.Ordinal) ? DraftPrefix + request.Title : request.Title;
        long? number = null;
        for (var page = 1; page <= Pages && number is null; page++)
        {
            var at = page;
            var (found, failure) = await client.SendAsync(Forge, () => Make(HttpMethod.Get, route.Endpoint($"{pulls}?state=open&limit=50&page={at}"), null, route), cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            if (found is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
            {
                break;
            }

            number = list.EnumerateArray().FirstOrDefault(p => p.Text("head", "ref") == request.Head).Number("number");
        }

        if (number is { } index)
        {
            var update = new JsonObject { ["title"] = title, ["body"] = request.Body };
            var (updated, refused) = await client.SendAsync(Forge, () => Make(HttpMethod.Patch, route.Endpoint($"{pulls}/{index}"), update, route), cancellationToken);
            return refused ?? PullRequestClient.Opened(Forge, updated!.Value, "number", b => b.Text("html_url"), created: false);
        }

        var create = new JsonObject { ["title"] = title, ["head"] = request.Head, ["base"] = request.Base, ["body"] = request.Body };
        var (opened, rejected) = await client.SendAsync(Forge, () => Make(HttpMethod.Post, route.Endpoint(pulls), create, route), cancellationToken);
        return rejected ?? PullRequestClient.Opened(Forge, opened!.Value, "number", b => b.Text("html_url"), created: true);
    }

    private static HttpRequestMessage Make(HttpMethod method, Uri uri, JsonObject? body, StatusRoute route)
    {
        var request = PullRequestClient.Request(method, uri, body);
        route.Authorize(request, "token");
        return request;
    }
}
