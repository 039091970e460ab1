using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

/// <summary>One request the <see cref="FakePlaneApi"/> was sent: its method, path, the API key it carried and its body.</summary>
public sealed record FakePlaneRequest(string Method, string Path, string? ApiKey, string Body);

/// <summary>How the <see cref="FakePlaneApi"/> answers for now.</summary>
public enum FakePlaneMode
{
    Normal,

    /// <summary>Every request is answered 500.</summary>
    Failing,

    /// <summary>Every request is held unanswered until the mode changes (or the fake stops).</summary>
    Hanging,
}

/// <summary>A stand-in for Plane's REST API on a loopback port, serving what Cairn calls under <c>/api/v1/</c>: a work
/// item, the project (its identifier <c>WEB</c>), its labels, the workspace's members, <c>users/me</c>, and posting a comment (201 with its id, 409 for
/// an <c>external_id</c> already used, as Plane answers). Requests without the right <c>X-API-Key</c> get 401. It
/// records every request, can answer 500 or hang for a while, and can fail the next comment posts with a status.</summary>
public sealed class FakePlaneApi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<FakePlaneRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (string Id, string WorkItem, string Html)> _comments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _commentFailures = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile FakePlaneMode _mode;
    private int _nextComment;

    public FakePlaneApi(string apiKey, string workspace, string project)
    {
        ApiKey = apiKey;
        Workspace = workspace;
        Project = project;
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public Uri Url { get; }

    public string ApiKey { get; }

    public string Workspace { get; }

    public string Project { get; }

    /// <summary>The id <c>users/me</c> answers: the API key's user, whose comments are Cairn's.</summary>
    public string Me { get; set; } = "cairn-bot";

    public ConcurrentDictionary<string, (string Name, string? Description, IReadOnlyList<string> Labels)> WorkItems { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, (string Email, string DisplayName)> Members { get; } = new(StringComparer.Ordinal);

    public FakePlaneMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    public IReadOnlyList<FakePlaneRequest> Requests => [.. _requests];

    /// <summary>Comments posted, by external id.</summary>
    public IReadOnlyDictionary<string, (string Id, string WorkItem, string Html)> Comments => _comments;

    /// <summary>The next posts of the comment with <paramref name="externalId"/> are answered with these statuses, one
    /// each, before it is taken.</summary>
    public void FailComment(string externalId, params int[] statuses)
    {
        var queue = _commentFailures.GetOrAdd(externalId, _ => new ConcurrentQueue<int>());
        foreach (var status in statuses)
        {
            queue.Enqueue(status);
        }
    }

    /// <summary>Takes a comment as if posted earlier (a later post with its external id is answered 409).</summary>
    public void SeedComment(string externalId, string workItem) => _comments[externalId] = ($"seeded-{externalId}", workItem, "");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath;
            var key = context.Request.Headers["X-API-Key"];
            _requests.Enqueue(new FakePlaneRequest(context.Request.HttpMethod, path, key, body));
            while (_mode == FakePlaneMode.Hanging && !_stop.IsCancellationRequested)
            {
                await Task.Delay(50);
            }

            var (status, answer) = _mode == FakePlaneMode.Failing ? (500, "{\"error\": \"down\"}")
                : key != ApiKey ? (401, "{\"detail\": \"Given API token is not valid\"}")
                : Answer(context.Request.HttpMethod, path, body);
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or IOException)
        {
        }
    }

    private (int Status, string Body) Answer(string method, string path, string body)
    {
        var parts = path.Trim('/').Split('/');
        var project = $"api/v1/workspaces/{Workspace}/projects/{Project}/";
        var trimmed = path.TrimStart('/');
        if (method == "GET" && trimmed == "api/v1/users/me/")
        {
            return (200, new JsonObject { ["id"] = Me, ["display_name"] = "cairn" }.ToJsonString());
        }

        if (method == "GET" && trimmed == $"api/v1/workspaces/{Workspace}/members/")
        {
            var members = new JsonArray();
            foreach (var (id, member) in Members)
            {
                members.Add(new JsonObject { ["id"] = id, ["email"] = member.Email, ["display_name"] = member.DisplayName });
            }

            return (200, members.ToJsonString());
        }

        if (method == "GET" && trimmed == project)
        {
            return (200, new JsonObject { ["id"] = Project, ["identifier"] = "WEB", ["name"] = "Web" }.ToJsonString());
        }

        if (method == "GET" && trimmed == project + "labels/")
        {
            var labels = new JsonArray();
            foreach (var (id, name) in Labels)
            {
                labels.Add(new JsonObject { ["id"] = id, ["name"] = name });
            }

            return (200, new JsonObject { ["results"] = labels, ["next_page_results"] = false }.ToJsonString());
        }

        if (trimmed.StartsWith(project + "issues/", StringComparison.Ordinal) && parts.Length >= 8)
        {
            var item = parts[7];
            if (!WorkItems.TryGetValue(item, out var found))
            {
                return (404, "{\"error\": \"Issue does not exist\"}");
            }

            if (method == "GET" && parts.Length == 8)
            {
                return (200, new JsonObject
                {
                    ["id"] = item,
                    ["name"] = found.Name,
                    ["description_stripped"] = found.Description,
                    ["labels"] = new JsonArray([.. found.Labels.Select(l => (JsonNode)JsonValue.Create(l))]),
                    ["sequence_id"] = 12,
                }.ToJsonString());
            }

            if (method == "POST" && parts.Length == 9 && parts[8] == "comments")
            {
                return Comment(item, body);
            }
        }

        return (404, "{\"error\": \"Page not found.\"}");
    }

    private (int Status, string Body) Comment(string workItem, string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        var external = json["external_id"]?.GetValue<string>() ?? "";
        if (_commentFailures.TryGetValue(external, out var failures) && failures.TryDequeue(out var failure))
        {
            return (failure, "{\"error\": \"refused\"}");
        }

        var html = json["comment_html"]?.GetValue<string>() ?? "";
        if (json["external_source"]?.GetValue<string>() is { Length: > 0 } && external.Length > 0)
        {
            var id = $"comment-{Interlocked.Increment(ref _nextComment)}";
            var kept = _comments.GetOrAdd(external, (id, workItem, html));
            if (kept.Id != id)
            {
                return (409, JsonSerializer.Serialize(new { error = "Issue Comment with the same external id and external source already exists", id = kept.Id }));
            }

            return (201, new JsonObject { ["id"] = id, ["comment_html"] = html, ["external_id"] = external }.ToJsonString());
        }

        return (201, new JsonObject { ["id"] = $"comment-{Interlocked.Increment(ref _nextComment)}" }.ToJsonString());
    }
}
