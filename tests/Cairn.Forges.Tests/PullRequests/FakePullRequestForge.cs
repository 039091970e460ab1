using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Testing;

/// <summary>One request the fake forge saw.</summary>
public sealed record PullRequestCall(string Method, string Target, string? Authorization, string? PrivateToken, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>A real Kestrel server on loopback speaking the pull request API of one forge (GitHub, GitLab, Gitea or
/// Bitbucket Cloud, as far as Cairn uses it): it keeps the open pull requests, lists, creates and updates them, and
/// records every request. Anything else (a merge above all) is answered 404 and recorded like the rest.</summary>
public sealed class FakePullRequestForge : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _forge;
    private readonly ConcurrentQueue<PullRequestCall> _calls = new();
    private readonly List<(int Number, string Head, string Base, JsonObject Fields)> _open = [];
    private int _next = 41;

    private FakePullRequestForge(WebApplication app, string forge)
    {
        _app = app;
        _forge = forge;
    }

    /// <summary>The API URL a repository names (its root: paths are the forge's own beneath it).</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<PullRequestCall> Calls => _calls.ToArray();

    /// <summary>The open pull requests: number, head branch, base branch and the fields last sent.</summary>
    public IReadOnlyList<(int Number, string Head, string Base, JsonObject Fields)> Open
    {
        get
        {
            lock (_open)
            {
                return [.. _open];
            }
        }
    }

    /// <summary>Answers every request with this status instead (503: a forge that is down).</summary>
    public int? FailWith { get; set; }

    /// <param name="forge">github, gitlab, gitea or bitbucket.</param>
    public static async Task<FakePullRequestForge> StartAsync(string forge)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakePullRequestForge(app, forge);
        app.Run(server.AnswerAsync);
        await app.StartAsync(CancellationToken.None);
        server.Url = app.Services.GetService(typeof(IServer)) is IServer kestrel
            ? kestrel.Features.Get<IServerAddressesFeature>()!.Addresses.Single()
            : throw new InvalidOperationException("no server");
        return server;
    }

    /// <summary>An open pull request made before Cairn came, of <paramref name="head"/>.</summary>
    public void Seed(string head, string title)
    {
        lock (_open)
        {
            _open.Add((++_next, head, "main", new JsonObject { ["title"] = title }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        _calls.Enqueue(new PullRequestCall(
            context.Request.Method, target, context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
            context.Request.Headers["PRIVATE-TOKEN"].ToString() is { Length: > 0 } p ? p : null, body));
        var (status, answer) = FailWith is { } failing ? (failing, new JsonObject { ["message"] = "down" }) : Route(context.Request.Method, context.Request.Path.Value ?? "", context.Request.Query, body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private (int, JsonNode) Route(string method, string path, IQueryCollection query, string body)
    {
        var segments = path.Trim('/').Split('/');
        var collection = _forge switch
        {
            "gitlab" => "merge_requests",
            "bitbucket" => "pullrequests",
            _ => "pulls",
        };
        var at = Array.IndexOf(segments, collection);
        if (at < 0 || segments.Length > at + 2)
        {
            return (404, new JsonObject { ["message"] = "Not Found" });
        }

        lock (_open)
        {
            if (segments.Length == at + 2)
            {
                var number = int.Parse(segments[at + 1], System.Globalization.CultureInfo.InvariantCulture);
                var index = _open.FindIndex(p => p.Number == number);
                if (index < 0 || method is not ("PATCH" or "PUT"))
                {
                    return (404, new JsonObject { ["message"] = "Not Found" });
                }

                var fields = JsonNode.Parse(body)!.AsObject();
                _open[index] = (number, _open[index].Head, _open[index].Base, fields);
                return (200, Describe(_open[index]));
            }

            if (method == "GET")
            {
                var matching = _forge switch
                {
                    "github" => _open.Where(p => query["head"].ToString().EndsWith(":" + p.Head, StringComparison.Ordinal)),
                    "gitlab" => _open.Where(p => p.Head == query["source_branch"].ToString()),
                    "bitbucket" => _open.Where(p => query["q"].ToString() == $"source.branch.name=\"{p.Head}\""),
                    _ => _open,
                };
                var list = new JsonArray([.. matching.Select(Describe)]);
                return (200, _forge == "bitbucket" ? new JsonObject { ["values"] = list } : list);
            }

            if (method == "POST")
            {
                var fields = JsonNode.Parse(body)!.AsObject();
                var head = (string?)fields["head"] ?? (string?)fields["source_branch"] ?? (string?)fields["source"]?["branch"]?["name"] ?? "";
                var baseBranch = (string?)fields["base"] ?? (string?)fields["target_branch"] ?? (string?)fields["destination"]?["branch"]?["name"] ?? "";
                if (_open.Any(p => p.Head == head))
                {
                    return (422, new JsonObject { ["message"] = "A pull request already exists" });
                }

                var created = (++_next, head, baseBranch, fields);
                _open.Add(created);
                return (201, Describe(created));
            }
        }

        return (405, new JsonObject { ["message"] = "Method Not Allowed" });
    }

    private JsonObject Describe((int Number, string Head, string Base, JsonObject Fields) pull)
    {
        var page = $"{Url}/web/{pull.Number}";
        return _forge switch
        {
            "gitlab" => new JsonObject { ["iid"] = pull.Number, ["web_url"] = page, ["source_branch"] = pull.Head },
            "bitbucket" => new JsonObject { ["id"] = pull.Number, ["links"] = new JsonObject { ["html"] = new JsonObject { ["href"] = page } } },
            _ => new JsonObject { ["number"] = pull.Number, ["html_url"] = page, ["head"] = new JsonObject { ["ref"] = pull.Head } },
        };
    }
}
