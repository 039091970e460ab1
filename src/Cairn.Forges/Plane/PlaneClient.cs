using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Forges.Plane;

/// <summary>The few calls of Plane's REST API Cairn makes, authenticated with <c>X-API-Key</c>. Paths follow
/// makeplane/plane apps/api/plane/api/urls/ (work_item.py, label.py, member.py, user.py):
/// <c>/api/v1/workspaces/{slug}/projects/{project}/issues/{id}/</c>, <c>…/projects/{project}/</c>, <c>…/projects/{project}/labels/</c>,
/// <c>/api/v1/workspaces/{slug}/members/</c>, <c>/api/v1/users/me/</c> and
/// <c>…/issues/{id}/comments/</c>, whose POST answers 409 when a comment with the same <c>external_id</c> and
/// <c>external_source</c> exists (IssueCommentAPIEndpoint.post). Lists come as a JSON array or paginated as
/// <c>{"results": [...]}</c>; both are read. Errors never carry the key.</summary>
public sealed class PlaneClient(HttpClient http, Uri apiUrl, string workspace, string apiKey)
{
    /// <summary>What <c>external_source</c> Cairn's comments carry.</summary>
    public const string ExternalSource = "cairn";

    private readonly string _base = apiUrl.ToString().TrimEnd('/') + "/api/v1/";

    public async Task<PlaneWorkItem> GetWorkItemAsync(string project, string id, CancellationToken cancellationToken)
    {
        var item = await GetAsync($"workspaces/{Segment(workspace)}/projects/{Segment(project)}/issues/{Segment(id)}/", cancellationToken);
        var labels = item["labels"] is JsonArray array
            ? array.Select(l => l is JsonObject o ? Text(o["id"]) : Text(l)).OfType<string>().ToList()
            : item["label_ids"] is JsonArray ids ? ids.Select(Text).OfType<string>().ToList() : [];
        return new PlaneWorkItem(
            Text(item["id"]) ?? id,
            Text(item["name"]) ?? "",
            Text(item["description_stripped"]) ?? Text(item["description_html"]),
            labels,
            item["sequence_id"] is JsonValue v && v.TryGetValue<long>(out var sequence) ? sequence : null);
    }

    /// <summary>The project's identifier (<c>WEB</c>), which with a work item's sequence id makes its key (<c>WEB-12</c>).</summary>
    public async Task<string?> GetProjectIdentifierAsync(string project, CancellationToken cancellationToken) =>
        Text((await GetAsync($"workspaces/{Segment(workspace)}/projects/{Segment(project)}/", cancellationToken))["identifier"]);

    /// <summary>The project's labels, id → name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetLabelsAsync(string project, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in Items(await GetAsync($"workspaces/{Segment(workspace)}/projects/{Segment(project)}/labels/", cancellationToken)))
        {
            if (Text(label["id"]) is { } id && Text(label["name"]) is { } name)
            {
                labels[id] = name;
            }
        }

        return labels;
    }

    /// <summary>The workspace's members, by their Plane id.</summary>
    public async Task<IReadOnlyDictionary<string, PlaneMember>> GetMembersAsync(CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, PlaneMember>(StringComparer.Ordinal);
        foreach (var member in Items(await GetAsync($"workspaces/{Segment(workspace)}/members/", cancellationToken)))
        {
            // A membership may nest its user (member: {...}); a plain list holds the users themselves.
            var user = member["member"] as JsonObject ?? member;
            if (Text(user["id"]) is { } id)
            {
                members[id] = new PlaneMember(id, Text(user["email"]), Text(user["display_name"]));
            }
        }

        return members;
    }

    /// <summary>The id of the user the API key belongs to: comments by it are Cairn's own.</summary>
    public async Task<string> GetMeAsync(CancellationToken cancellationToken) =>
        Text((await GetAsync("users/me/", cancellationToken))["id"]) ?? throw new PlaneApiException("users/me/ gave no id");

    /// <summary>Posts a comment carrying <paramref name="externalId"/>; a 409 means it was posted before.</summary>
    public async Task<PlaneCommentResult> PostCommentAsync(
        string project, string workItem, string externalId, string html, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["comment_html"] = html,
            ["external_id"] = externalId,
            ["external_source"] = ExternalSource,
        };
        HttpResponseMessage response;
        try
        {
            using var request = Request(HttpMethod.Post, $"workspaces/{Segment(workspace)}/projects/{Segment(project)}/issues/{Segment(workItem)}/comments/");
            request.Content = JsonContent.Create(body);
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return new PlaneCommentResult(false, null, true, $"Plane could not be reached: {ex.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PlaneCommentResult(false, null, true, "Plane did not answer in time");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var posted = await ReadAsync(response, cancellationToken);
                return new PlaneCommentResult(true, posted is null ? null : Text(posted["id"]), false, null);
            }

            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                var existing = await ReadAsync(response, cancellationToken);
                return new PlaneCommentResult(true, existing is null ? null : Text(existing["id"]), false, null);
            }

            var retry = response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500;
            return new PlaneCommentResult(false, null, retry, $"Plane answered {status} {response.ReasonPhrase}");
        }
    }

    private async Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = Request(HttpMethod.Get, path);
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new PlaneApiException($"Plane could not be reached: {ex.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PlaneApiException("Plane did not answer in time");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new PlaneApiException($"Plane answered {(int)response.StatusCode} to GET {path}", (int)response.StatusCode);
            }

            return await ReadAsync(response, cancellationToken) ?? throw new PlaneApiException($"Plane's answer to GET {path} is not JSON");
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_base + path));
        request.Headers.TryAddWithoutValidation("X-API-Key", apiKey);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    /// <summary>The answer as an object; a bare array is wrapped as <c>{"results": [...]}</c>.</summary>
    private static async Task<JsonObject?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return node switch
            {
                JsonObject o => o,
                JsonArray a => new JsonObject { ["results"] = a.DeepClone() },
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<JsonObject> Items(JsonObject page) =>
        page["results"] is JsonArray results ? results.OfType<JsonObject>() : [];

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 && text != "None" ? text : null;

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
