using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A Cairn API on loopback Kestrel (port 0) with the answers the real server gives: repositories, runs,
/// events and logs in memory, problem documents for errors, a bearer token, and every request recorded.</summary>
internal sealed partial class FakeCairnServer : IAsyncDisposable
{
    public const string Token = "cairn_fake-admin-token";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RepoShape> _repos = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, RunShape> _runs = [];
    private readonly Dictionary<long, Queue<Func<RunShape, RunShape>>> _scripts = [];
    private readonly Dictionary<string, long> _idempotency = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private long _nextRunId = 41;

    private FakeCairnServer(WebApplication app)
    {
        _app = app;
    }

    public string Url { get; private set; } = "";

    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    public ConcurrentDictionary<long, string> Logs { get; } = new();

    public List<EventShape> Events { get; } = [];

    /// <summary>The secrets set, by (repository or "" for global, name): the values as they arrived.</summary>
    public ConcurrentDictionary<(string Scope, string Name), string> Secrets { get; } = new();

    public List<AuditShape> Audit { get; } = [];

    /// <summary>Answers every request in place of the API when set (a proxy's error page, a hang…).</summary>
    public RequestDelegate? Override { get; set; }

    /// <summary>The id the next run made by a trigger or rerun gets.</summary>
    public long NextRunId
    {
        get
        {
            lock (_gate)
            {
                return _nextRunId;
            }
        }
    }

    public static async Task<FakeCairnServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var fake = new FakeCairnServer(app);
        fake.Map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        fake.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return fake;
    }

    public void AddRepo(string name, string forge = "github", string defaultBranch = "main")
    {
        lock (_gate)
        {
            _repos[name] = new RepoShape(
                name, forge, $"https://{forge}.example/{name}.git", $"https://api.{forge}.example", defaultBranch, false, true, false,
                $"{Url}/hooks/{forge}", DateTimeOffset.UtcNow);
        }
    }

    public bool HasRepo(string name)
    {
        lock (_gate)
        {
            return _repos.ContainsKey(name);
        }
    }

    public void AddRun(RunShape run)
    {
        lock (_gate)
        {
            _runs[run.Id] = run;
            _nextRunId = Math.Max(_nextRunId, run.Id + 1);
        }
    }

    public RunShape Run(long id)
    {
        lock (_gate)
        {
            return _runs[id];
        }
    }

    /// <summary>What successive GETs of run <paramref name="id"/> find: each one applies the next change.</summary>
    public void Script(long id, params Func<RunShape, RunShape>[] changes)
    {
        lock (_gate)
        {
            _scripts[id] = new Queue<Func<RunShape, RunShape>>(changes);
        }
    }

    /// <summary>The requests to the API, in order (not the ones an <see cref="Override"/> answered).</summary>
    public IReadOnlyList<SeenRequest> Api(string method, string pathStart) =>
        [.. Requests.Where(r => r.Method == method && r.Path.StartsWith(pathStart, StringComparison.Ordinal))];

    public static RunShape NewRun(long id, long number, string repo, string status = "running", params JobShape[] jobs)
    {
        var created = DateTimeOffset.UtcNow.AddMinutes(-5);
        var finished = status is "succeeded" or "failed" or "cancelled";
        return new RunShape(
            id, number, repo, "ci", "manual", "refs/heads/main", "0123456789abcdef0123456789abcdef01234567", status, null, [],
            created, created.AddSeconds(1), finished ? created.AddSeconds(63) : null, null, false, jobs);
    }

    public static JobShape NewJob(long id, string name, string status, params StepShape[] steps) => new(
        id, name, status, 1, status is "succeeded" ? 0 : null, null, null,
        status is "waiting" or "queued" or "skipped" ? null : DateTimeOffset.UtcNow.AddMinutes(-4),
        status is "succeeded" or "failed" or "cancelled" ? DateTimeOffset.UtcNow.AddMinutes(-4).AddSeconds(12) : null,
        steps);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static IResult Problem(int status, string title, string detail, IReadOnlyList<string>? errors = null) => Results.Problem(
        detail, statusCode: status, title: title,
        extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    private static IResult NotFound(string detail) => Problem(404, "Not found", detail);

    private static IResult Page<T>(IEnumerable<T> all, string? cursor, int? limit, Func<T, long> id)
    {
        var after = cursor is null ? long.MaxValue : long.Parse(cursor, CultureInfo.InvariantCulture);
        var take = limit ?? 50;
        var rest = all.Where(i => id(i) < after).ToList();
        var page = rest.Take(take).ToList();
        var next = rest.Count > take ? id(page[^1]).ToString(CultureInfo.InvariantCulture) : null;
        return Results.Json(new PageShape<T>(page, next), Json);
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            var headers = context.Request.Headers;
            _requests.Enqueue(new SeenRequest(
                context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", body,
                headers.Authorization.FirstOrDefault(), headers["Idempotency-Key"].FirstOrDefault(), headers.UserAgent.FirstOrDefault(),
                context.Request.ContentType));
            if (Override is { } answer)
            {
                await answer(context);
                return;
            }

            if (headers.Authorization != $"Bearer {Token}")
            {
                await Problem(401, "Unauthorized", "the API needs the admin token as 'Authorization: Bearer <token>'").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        var api = app.MapGroup("/api/v1");
        api.MapPost("/repos", (JsonObject body) => AddRepo(body));
        api.MapGet("/repos", () =>
        {
            lock (_gate)
            {
                return Results.Json(new PageShape<RepoShape>([.. _repos.Values.OrderBy(r => r.Name, StringComparer.Ordinal)], null), Json);
            }
        });
        api.MapGet("/repos/{**name}", (string name) =>
        {
            lock (_gate)
            {
                return _repos.TryGetValue(name, out var found) ? Results.Json(found, Json) : NotFound($"there is no repository {name}");
            }
        });
        api.MapPatch("/repos/{**name}", (string name, JsonObject body) => ChangeRepo(name, body));
        api.MapDelete("/repos/{**name}", (string name) =>
        {
            lock (_gate)
            {
                return _repos.Remove(name) ? Results.NoContent() : NotFound($"there is no repository {name}");
            }
        });
        api.MapPost("/repos/{owner}/{repo}/runs", (string owner, string repo, JsonObject body, HttpRequest request) => Trigger(owner, repo, body, request));
        api.MapGet("/runs", (string? repo, string? status, string? branch, string? cursor, int? limit) =>
        {
            lock (_gate)
            {
                var runs = _runs.Values.Reverse()
                    .Where(r => repo is null || r.Repo == repo)
                    .Where(r => status is null || r.Status == status)
                    .Where(r => branch is null || r.Ref == $"refs/heads/{branch}")
                    .Select(r => r with { Jobs = [] });
                return Page(runs, cursor, limit, r => r.Id);
            }
        });
        api.MapGet("/runs/{id:long}", (long id) =>
        {
            lock (_gate)
            {
                if (!_runs.TryGetValue(id, out var run))
                {
                    return NotFound($"there is no run {id}");
                }

                if (_scripts.TryGetValue(id, out var script) && script.TryDequeue(out var change))
                {
                    _runs[id] = run = change(run);
                }

                return Results.Json(run, Json);
            }
        });
        api.MapPost("/runs/{id:long}/cancel", (long id) =>
        {
            lock (_gate)
            {
                if (!_runs.TryGetValue(id, out var run))
                {
                    return NotFound($"there is no run {id}");
                }

                if (run.Status != "running")
                {
                    return Problem(409, "Conflict", $"run {id} has already ended ({run.Status})");
                }

                _runs[id] = run = run with { CancelRequested = true };
                return Results.Json(run, Json, statusCode: 202);
            }
        });
        api.MapPost("/runs/{id:long}/approve", (long id) => Decide(id, reason: null, approve: true));
        api.MapPost("/runs/{id:long}/reject", (long id, JsonObject? body) => Decide(id, (string?)body?["reason"], approve: false));
        api.MapPost("/runs/{id:long}/rerun", (long id) => Rerun(id, failedOnly: false));
        api.MapPost("/runs/{id:long}/rerun-failed", (long id) => Rerun(id, failedOnly: true));
        api.MapGet("/runs/{id:long}/jobs/{jobId:long}/log", (long id, long jobId) =>
            Logs.TryGetValue(jobId, out var log) ? Results.Text(log, "text/plain; charset=utf-8") : NotFound($"run {id} has no job {jobId}"));
        api.MapPut("/repos/{owner}/{repo}/secrets/{name}", (string owner, string repo, string name, JsonObject body) => PutSecret($"{owner}/{repo}", name, body));
        api.MapDelete("/repos/{owner}/{repo}/secrets/{name}", (string owner, string repo, string name) => DeleteSecret($"{owner}/{repo}", name));
        api.MapGet("/repos/{owner}/{repo}/secrets", (string owner, string repo) => ListSecrets($"{owner}/{repo}"));
        api.MapPut("/secrets/{name}", (string name, JsonObject body) => PutSecret(null, name, body));
        api.MapDelete("/secrets/{name}", (string name) => DeleteSecret(null, name));
        api.MapGet("/secrets", () => ListSecrets(null));
        MapArtifacts(api);
        api.MapGet("/audit", (string? actor, string? action, string? repo, string? cursor, int? limit) =>
        {
            lock (_gate)
            {
                var matching = Audit.OrderByDescending(e => e.Id)
                    .Where(e => actor is null || string.Equals(e.Actor, actor, StringComparison.OrdinalIgnoreCase))
                    .Where(e => action is null || e.Action == action)
                    .Where(e => repo is null || string.Equals(e.Repository, repo, StringComparison.OrdinalIgnoreCase));
                return Page(matching, cursor, limit, e => e.Id);
            }
        });
        api.MapGet("/events", (string? repo, string? cursor, int? limit) =>
        {
            lock (_gate)
            {
                return Page(Events.OrderByDescending(e => e.Id).Where(e => repo is null || e.Repository == repo), cursor, limit, e => e.Id);
            }
        });
    }

    private IResult AddRepo(JsonObject body)
    {
        var name = (string?)body["name"];
        var forge = (string?)body["forge"];
        var cloneUrl = (string?)body["cloneUrl"];
        var errors = new List<string>();
        if (forge is not ("github" or "gitlab" or "gitea" or "bitbucket"))
        {
            errors.Add($"forge: '{forge}' is not a forge (github, gitlab, gitea, bitbucket)");
        }

        if (cloneUrl is null || !cloneUrl.Contains("://", StringComparison.Ordinal))
        {
            errors.Add($"cloneUrl: '{cloneUrl}' is not a git URL (https://…, ssh://…, git@host:path or file://…)");
        }

        if (errors.Count > 0)
        {
            return Problem(400, "The request is not valid", string.Join("; ", errors), errors);
        }

        lock (_gate)
        {
            if (_repos.ContainsKey(name!))
            {
                return Problem(409, "Conflict", $"a repository named {name} is already there; remove it first to change it");
            }

            var repo = new RepoShape(
                name!, forge!, cloneUrl!, (string?)body["apiUrl"] ?? $"https://api.{forge}.example", (string?)body["defaultBranch"] ?? "main",
                (bool?)body["allowForkSecrets"] ?? false, body["webhookSecret"] is not null, body["statusToken"] is not null,
                $"{Url}/hooks/{forge}", DateTimeOffset.UtcNow, (string?)body["forkPullRequests"] ?? "approve");
            _repos[name!] = repo;
            return Results.Json(repo, Json, statusCode: 201);
        }
    }

    private IResult PutSecret(string? scope, string name, JsonObject body)
    {
        if (body["value"] is not JsonValue value || (string?)value is not { Length: > 0 } text)
        {
            return Problem(400, "The request is not valid", "value: a secret's value cannot be empty", ["value: a secret's value cannot be empty"]);
        }

        lock (_gate)
        {
            if (scope is not null && !_repos.ContainsKey(scope))
            {
                return NotFound($"there is no repository {scope}");
            }

            var created = !Secrets.ContainsKey((scope ?? "", name));
            Secrets[(scope ?? "", name)] = text;
            var shape = new SecretShape(name, scope, DateTimeOffset.UtcNow);
            return created ? Results.Json(shape, Json, statusCode: 201) : Results.Json(shape, Json);
        }
    }

    private IResult DeleteSecret(string? scope, string name)
    {
        lock (_gate)
        {
            if (scope is not null && !_repos.ContainsKey(scope))
            {
                return NotFound($"there is no repository {scope}");
            }

            return Secrets.TryRemove((scope ?? "", name), out _)
                ? Results.NoContent()
                : NotFound(scope is null ? $"there is no global secret {name}" : $"{scope} has no secret {name}");
        }
    }

    private IResult ListSecrets(string? scope)
    {
        lock (_gate)
        {
            if (scope is not null && !_repos.ContainsKey(scope))
            {
                return NotFound($"there is no repository {scope}");
            }

            var items = Secrets.Keys.Where(k => k.Scope == (scope ?? "")).Select(k => k.Name).Order(StringComparer.Ordinal)
                .Select(n => new SecretShape(n, scope, DateTimeOffset.UtcNow.AddMinutes(-3)))
                .ToList();
            return Results.Json(new PageShape<SecretShape>(items, null), Json);
        }
    }

    private IResult Trigger(string owner, string repo, JsonObject body, HttpRequest request)
    {
        var name = $"{owner}/{repo}";
        lock (_gate)
        {
            if (!_repos.ContainsKey(name))
            {
                return NotFound($"there is no repository {name}");
            }

            var key = request.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is not null && _idempotency.TryGetValue(key, out var earlier))
            {
                return Results.Json(_runs[earlier], Json, statusCode: 200);
            }

            var id = _nextRunId++;
            var number = _runs.Values.Count(r => r.Repo == name) + 1;
            var gitRef = (string?)body["ref"] ?? "main";
            var run = NewRun(id, number, name, "running", NewJob(id * 10, "build", "queued")) with
            {
                Ref = gitRef.StartsWith("refs/", StringComparison.Ordinal) ? gitRef : $"refs/heads/{gitRef}",
                Sha = (string?)body["sha"],
                CreatedAt = DateTimeOffset.UtcNow,
                StartedAt = DateTimeOffset.UtcNow,
            };
            _runs[id] = run;
            if (key is not null)
            {
                _idempotency[key] = id;
            }

            return Results.Json(run, Json, statusCode: 201);
        }
    }

    private IResult Rerun(long id, bool failedOnly)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(id, out var run))
            {
                return NotFound($"there is no run {id}");
            }

            if (run.Status == "running")
            {
                return Problem(409, "Conflict", $"run {id} is still running");
            }

            var newId = _nextRunId++;
            var jobs = run.Jobs.Where(j => !failedOnly || j.Status != "succeeded")
                .Select((j, i) => NewJob(newId * 10 + i, j.Name, "queued"))
                .ToList();
            var rerun = NewRun(newId, run.Number + 1, run.Repo, "running", [.. jobs]) with { RerunOf = id, Sha = run.Sha };
            _runs[newId] = rerun;
            return Results.Json(rerun, Json, statusCode: 201);
        }
    }
}
