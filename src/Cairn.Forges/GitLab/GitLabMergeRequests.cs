using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Publishing;
using Cairn.Forges.PullRequests;
using Cairn.Forges.Statuses;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitLab;

/// <summary>GitLab's merge requests (REST API v4, docs.gitlab.com/api/merge_requests): the branch's open merge request
/// is looked up (<c>GET /projects/:id/merge_requests?source_branch=…&amp;state=opened</c>) and its title and description
/// updated (<c>PUT /projects/:id/merge_requests/:merge_request_iid</c>); else one is created
/// (<c>POST /projects/:id/merge_requests</c>). A draft is a title starting with <c>Draft: </c>. Both answer with
/// <c>iid</c> and <c>web_url</c>. No merge is ever asked.</summary>
internal sealed class GitLabMergeRequests(PullRequestClient client) : IPullRequestForge
{
    private const string Forge = "gitlab";
    private const string DraftPrefix = "Draft: ";

    public async Task<PullRequestResult> OpenOrUpdateAsync(PullRequestTarget target, PullRequestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        if (!PullRequestClient.TryRoute(target, "https://gitlab.com/api/v4", RepositoryShape.Path, out var route, out var problem))
        {
            return new PullRequestResult.Rejected(problem);
        }

        var requests = $"projects/{Uri.EscapeDataString(route.Repository)}/merge_requests";
        var title = request.Draft && !request.Title.StartsWith(DraftPrefix, StringComparison.Ordinal) ? DraftPrefix + request.Title : request.Title;
        var query = $"{requests}?source_branch={Uri.EscapeDataString(request.Head)}&state=opened&per_page=10";
        var (found, failure) = await client.SendAsync(Forge, () => Make(HttpMethod.Get, route.Endpoint(query), null, route), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (found is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0 && list[0].Number("iid") is { } iid)
        {
            var update = new JsonObject { ["title"] = title, ["description"] = request.Body };
            var (updated, refused) = await client.SendAsync(Forge, () => Make(HttpMethod.Put, route.Endpoint($"{requests}/{iid}"), update, route), cancellationToken);
            return refused ?? PullRequestClient.Opened(Forge, updated!.Value, "iid", b => b.Text("web_url"), created: false);
        }

        var create = new JsonObject
        {
            ["source_branch"] = request.Head,
            ["target_branch"] = request.Base,
            ["title"] = title,
            ["description"] = request.Body,
            ["remove_source_branch"] = false,
        };
        var (opened, rejected) = await client.SendAsync(Forge, () => Make(HttpMethod.Post, route.Endpoint(requests), create, route), cancellationToken);
        return rejected ?? PullRequestClient.Opened(Forge, opened!.Value, "iid", b => b.Text("web_url"), created: true);
    }

    private static HttpRequestMessage Make(HttpMethod method, Uri uri, JsonObject? body, StatusRoute route)
    {
        var request = PullRequestClient.Request(method, uri, body);
        if (route.Token is { } token)
        {
            request.Headers.Add("PRIVATE-TOKEN", token);
        }

        return request;
    }
}
