using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Forges.PullRequests;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitHub;

/// <summary>GitHub's pull requests (REST API, docs.github.com/rest/pulls/pulls): the branch's open pull request is
/// looked up (<c>GET /repos/{owner}/{repo}/pulls?head={owner}:{branch}&amp;state=open</c>) and its title and body updated
/// (<c>PATCH /repos/{owner}/{repo}/pulls/{pull_number}</c>); else one is created (<c>POST /repos/{owner}/{repo}/pulls</c>
/// with <c>draft: true</c>). Both answer with the pull request: <c>number</c>, <c>html_url</c>. No merge is ever asked.</summary>
internal sealed class GitHubPullRequests(PullRequestClient client) : IPullRequestForge
{
    private const string Forge = "github";

    public async Task<PullRequestResult> OpenOrUpdateAsync(PullRequestTarget target, PullRequestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        if (!PullRequestClient.TryRoute(target, "https://api.github.com", RepositoryShape.OwnerAndName, out var route, out var problem))
        {
            return new PullRequestResult.Rejected(problem);
        }

        var pulls = $"repos/{route.Segment(0)}/{route.Segment(1)}/pulls";
        var head = Uri.EscapeDataString($"{route.Repository.Split('/')[0]}:{request.Head}");
        var (found, failure) = await client.SendAsync(Forge, () => Make(HttpMethod.Get, route.Endpoint($"{pulls}?head={head}&state=open&per_page=10"), null, route), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (found is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0 && list[0].Number("number") is { } number)
        {
            var update = new JsonObject { ["title"] = request.Title, ["body"] = request.Body };
            var (updated, refused) = await client.SendAsync(Forge, () => Make(HttpMethod.Patch, route.Endpoint($"{pulls}/{number}"), update, route), cancellationToken);
            return refused ?? PullRequestClient.Opened(Forge, updated!.Value, "number", b => b.Text("html_url"), created: false);
        }

        var create = new JsonObject
        {
            ["title"] = request.Title,
            ["head"] = request.Head,
            ["base"] = request.Base,
            ["body"] = request.Body,
            ["draft"] = request.Draft,
            ["maintainer_can_modify"] = false,
        };
        var (opened, rejected) = await client.SendAsync(Forge, () => Make(HttpMethod.Post, route.Endpoint(pulls), create, route), cancellationToken);
        return rejected ?? PullRequestClient.Opened(Forge, opened!.Value, "number", b => b.Text("html_url"), created: true);
    }

    private static HttpRequestMessage Make(HttpMethod method, Uri uri, JsonObject? body, StatusRoute route)
    {
        var request = PullRequestClient.Request(method, uri, body);
        request.Headers.Accept.ParseAdd("application/vnd.github+json");
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        route.Authorize(request, "Bearer");
        return request;
    }
}
