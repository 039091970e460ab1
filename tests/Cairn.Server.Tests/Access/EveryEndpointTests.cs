using System.Net;
using System.Text;
using System.Text.Json;
using Cairn.Core.Access;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Authorization;

/// <summary>Every endpoint the server maps, read from its endpoint data sources, against every kind of caller: each has
/// an access rule, is in <see cref="Table"/>, and the gate decides for each caller what the table's rule says it should.
/// A new endpoint fails here until it has a rule and a line in the table.</summary>
public sealed class EveryEndpointTests(AccessWorld world) : IClassFixture<AccessWorld>
{
    /// <summary>A user and a group no one is, for the routes that name one.</summary>
    private const string NoOne = "no-such-person";

    /// <summary>One line per endpoint (and per path it is tried with, for the routes that take the rest of a path):
    /// its methods, its route pattern as mapped, the rule it must have, and what follows the repository's name.</summary>
    private static readonly Row[] Table =
    [
        new("GET", "/healthz", Rule.Open),
        new("GET", "/readyz", Rule.Open),
        // Prometheus' scrape: open in the gate, for it checks the metrics token itself (or is off, a 404).
        new("GET", "/metrics", Rule.Open),
        new("GET", "/openapi/{documentName}.json", Rule.Open),
        new("POST", "/hooks/{forge}", Rule.Open),
        new("POST", "/hooks/plane", Rule.Open),
        new("POST", "/logout", Rule.Open),
        new("GET POST", "/login", Rule.Open),
        new("GET", "/_framework/opaque-redirect", Rule.Open),
        // The run's source over git: open in the gate, for the routes check a lease's source token themselves.
        new("GET POST", "/git/{**path}", Rule.Open),

        new("POST", "/api/v1/worker/lease", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/heartbeat", Rule.Worker),
        new("GET", "/api/v1/worker/leases/{leaseId:guid}/cancel", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/log", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/steps", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/waiting", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/secrets", Rule.Worker),
        new("POST", "/api/v1/worker/leases/live", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/complete", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/artifacts/needed", Rule.Worker),
        new("GET", "/api/v1/worker/leases/{leaseId:guid}/artifacts/sets/{setId:long}", Rule.Worker),
        new("PUT", "/api/v1/worker/leases/{leaseId:guid}/artifacts", Rule.Worker),
        new("POST", "/api/v1/worker/leases/{leaseId:guid}/caches/find", Rule.Worker),
        new("GET", "/api/v1/worker/leases/{leaseId:guid}/caches/{entryId:long}", Rule.Worker),
        new("PUT", "/api/v1/worker/leases/{leaseId:guid}/caches", Rule.Worker),

        new("POST", "/api/v1/repos", Rule.Global(Permission.ManageRepositories)),
        new("GET", "/api/v1/repos", Rule.SignedIn),
        new("GET", "/api/v1/repos/{**name}", Rule.Repository(Permission.ReadRepository)),
        new("GET", "/api/v1/repos/{**name}", Rule.Repository(Permission.ManageRepositorySecrets), "/secrets"),
        new("PATCH", "/api/v1/repos/{**name}", Rule.Repository(Permission.ManageRepositorySettings)),
        new("DELETE", "/api/v1/repos/{**name}", Rule.Repository(Permission.ManageRepositorySecrets), "/secrets/NO_SUCH"),
        new("DELETE", "/api/v1/repos/{**name}", Rule.Repository(Permission.ManageRepositories)) { Destroys = true },
        new("POST", "/api/v1/repos/{owner}/{repo}/runs", Rule.Repository(Permission.Trigger)),
        new("POST", "/api/v1/repos/{**path}", Rule.Repository(Permission.Trigger), "/runs"),
        new("PUT", "/api/v1/repos/{owner}/{repo}/secrets/{name}", Rule.Repository(Permission.ManageRepositorySecrets)),
        new("DELETE", "/api/v1/repos/{owner}/{repo}/secrets/{name}", Rule.Repository(Permission.ManageRepositorySecrets)),
        new("GET", "/api/v1/repos/{owner}/{repo}/secrets", Rule.Repository(Permission.ManageRepositorySecrets)),
        new("PUT", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageRepositorySecrets), "/secrets/" + AccessWorld.Secret),

        new("GET", "/api/v1/events", Rule.Listing),
        new("GET", "/api/v1/events/{id:long}", Rule.Listing),
        new("GET", "/api/v1/runs", Rule.Listing),
        new("GET", "/api/v1/runs/events", Rule.Listing),
        new("GET", "/api/v1/search", Rule.Listing),
        // Trackers: the endpoint checks the repository named in the body or by the tracker.
        new("POST", "/api/v1/trackers", Rule.Listing),
        new("GET", "/api/v1/trackers", Rule.Listing),
        new("DELETE", "/api/v1/trackers/{id:long}", Rule.Listing),
        new("GET", "/api/v1/runs/{id:long}", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/events", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/jobs/{jobId:long}/log", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/jobs/{jobId:long}/log.txt", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/jobs/{jobId:long}/log/stream", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/jobs/{jobId:long}/agent/transcript", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/artifacts", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/artifacts/{job}/files", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/artifacts/{job}/files/{**path}", Rule.Run(Permission.ReadRuns)),
        new("GET", "/api/v1/runs/{id:long}/artifacts/{job}.zip", Rule.Run(Permission.ReadRuns)),
        new("POST", "/api/v1/runs/{id:long}/cancel", Rule.Run(Permission.Cancel)),
        new("POST", "/api/v1/runs/{id:long}/rerun", Rule.Run(Permission.Rerun)),
        new("POST", "/api/v1/runs/{id:long}/rerun-failed", Rule.Run(Permission.Rerun)),
        new("POST", "/api/v1/runs/{id:long}/approve", Rule.Run(Permission.Approve)),
        new("POST", "/api/v1/runs/{id:long}/reject", Rule.Run(Permission.Approve)),
        new("POST", "/api/v1/runs/{id:long}/jobs/{jobId:long}/approve", Rule.Run(Permission.ReadRuns)),
        new("POST", "/api/v1/runs/{id:long}/jobs/{jobId:long}/reject", Rule.Run(Permission.ReadRuns)),

        new("PUT", "/api/v1/secrets/{name}", Rule.Global(Permission.ManageGlobalSecrets)),
        new("DELETE", "/api/v1/secrets/{name}", Rule.Global(Permission.ManageGlobalSecrets)),
        new("GET", "/api/v1/secrets", Rule.Global(Permission.ManageGlobalSecrets)),
        new("GET", "/api/v1/audit", Rule.SignedIn),

        new("POST", "/api/v1/users", Rule.Global(Permission.ManageUsers)),
        new("GET", "/api/v1/users", Rule.Global(Permission.ManageUsers)),
        new("GET", "/api/v1/users/{name}", Rule.Global(Permission.ManageUsers)),
        new("PATCH", "/api/v1/users/{name}", Rule.Global(Permission.ManageUsers)),
        new("DELETE", "/api/v1/users/{name}", Rule.Global(Permission.ManageUsers)),
        new("GET", "/api/v1/me", Rule.SignedIn),
        new("POST", "/api/v1/tokens", Rule.SignedIn),
        new("GET", "/api/v1/tokens", Rule.SignedIn),
        new("DELETE", "/api/v1/tokens/{id}", Rule.SignedIn),
        new("POST", "/api/v1/users/{name}/tokens", Rule.Global(Permission.ManageUsers)),
        new("GET", "/api/v1/users/{name}/tokens", Rule.Global(Permission.ManageUsers)),
        new("DELETE", "/api/v1/users/{name}/tokens/{id}", Rule.Global(Permission.ManageUsers)),
        new("POST", "/api/v1/workers", Rule.Global(Permission.ManageWorkers)),
        new("GET", "/api/v1/workers", Rule.Global(Permission.ManageWorkers)),
        new("POST", "/api/v1/workers/{name}/pause", Rule.Global(Permission.ManageWorkers)),
        new("POST", "/api/v1/workers/{name}/resume", Rule.Global(Permission.ManageWorkers)),
        new("DELETE", "/api/v1/workers/{name}", Rule.Global(Permission.ManageWorkers)),
        new("GET", "/api/v1/repos/{owner}/{repo}/members", Rule.Repository(Permission.ManageMembers)),
        new("PUT", "/api/v1/repos/{owner}/{repo}/members/{user}", Rule.Repository(Permission.ManageMembers)),
        new("DELETE", "/api/v1/repos/{owner}/{repo}/members/{user}", Rule.Repository(Permission.ManageMembers)),
        new("GET", "/api/v1/repos/{owner}/{repo}/teams", Rule.Repository(Permission.ManageMembers)),
        new("PUT", "/api/v1/repos/{owner}/{repo}/teams/{group}", Rule.Repository(Permission.ManageMembers)),
        new("DELETE", "/api/v1/repos/{owner}/{repo}/teams/{group}", Rule.Repository(Permission.ManageMembers)),
        new("GET", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/members"),
        new("GET", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/teams"),
        new("PUT", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/members/" + NoOne),
        new("PUT", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/teams/" + NoOne),
        new("DELETE", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/members/" + NoOne),
        new("DELETE", "/api/v1/repos/{**path}", Rule.Repository(Permission.ManageMembers), "/teams/" + NoOne),

        new("POST", "/runs/{id:long}/cancel", Rule.Run(Permission.Cancel)),
        new("POST", "/runs/{id:long}/rerun", Rule.Run(Permission.Rerun)),
        new("POST", "/runs/{id:long}/rerun-failed", Rule.Run(Permission.Rerun)),
        new("POST", "/runs/{id:long}/jobs/{jobId:long}/approve", Rule.Run(Permission.ReadRuns)),
        new("POST", "/runs/{id:long}/jobs/{jobId:long}/reject", Rule.Run(Permission.ReadRuns)),
        new("POST", "/secrets/set", Rule.SignedIn),
        new("POST", "/secrets/remove", Rule.SignedIn),
        new("POST", "/tokens/revoke", Rule.SignedIn),
        new("POST", "/users/add", Rule.Global(Permission.ManageUsers)),
        new("POST", "/users/change", Rule.Global(Permission.ManageUsers)),
        new("POST", "/users/remove", Rule.Global(Permission.ManageUsers)),
        new("POST", "/workers/pause", Rule.Global(Permission.ManageWorkers)),
        new("POST", "/workers/resume", Rule.Global(Permission.ManageWorkers)),
        new("POST", "/workers/remove", Rule.Global(Permission.ManageWorkers)),
        new("POST", "/repos/members/set", Rule.SignedIn),
        new("POST", "/repos/members/remove", Rule.SignedIn),

        new("GET POST", "/", Rule.Page),
        new("GET POST", "/repos", Rule.Page),
        new("GET POST", "/runs", Rule.Page),
        new("GET POST", "/events", Rule.Page),
        new("GET POST", "/audit", Rule.Page),
        new("GET POST", "/search", Rule.Page),
        new("GET POST", "/secrets", Rule.Page),
        new("GET POST", "/tokens", Rule.SignedIn),
        new("GET POST", "/users", Rule.Global(Permission.ManageUsers)),
        new("GET POST", "/workers", Rule.Global(Permission.ManageWorkers)),
        new("GET POST", "/repos/members", Rule.Page),
        new("GET POST", "/runs/{Id:long}", Rule.Run(Permission.ReadRuns)),
        new("GET POST", "/runs/{RunId:long}/jobs/{JobId:long}", Rule.Run(Permission.ReadRuns)),
        new("GET POST", "/runs/{Id:long}/artifacts/{Job}", Rule.Run(Permission.ReadRuns)),
    ];

    [Fact]
    public void Every_endpoint_has_an_access_rule_and_a_line_in_the_table()
    {
        var problems = new List<string>();
        foreach (var (key, endpoint) in MappedEndpoints())
        {
            var rule = endpoint.Metadata.GetMetadata<AccessRuleAttribute>();
            var rows = Table.Where(r => r.Keys.Contains(key)).ToList();
            if (rule is null)
            {
                problems.Add($"{key} has no access rule: give it one (.Open(), .ForSignedIn(), .ForGlobal(…), .ForRepository(…), .ForRunOf(…), .ForListing(), or an attribute on a page)");
            }

            if (rows.Count == 0)
            {
                problems.Add($"{key} is not in {nameof(EveryEndpointTests)}.{nameof(Table)}: add a line new(\"{key.Split(' ')[0]}\", \"{key[(key.IndexOf(' ', StringComparison.Ordinal) + 1)..]}\", Rule.…) saying who may call it");
            }
            else if (rule is not null && rows.FirstOrDefault(r => !r.Rule.Describes(rule)) is { } wrong)
            {
                problems.Add($"{key} has the rule '{rule.Describe()}' but the table says {wrong.Rule}");
            }
        }

        var mapped = MappedEndpoints().Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(Table.SelectMany(r => r.Keys).Where(k => !mapped.Contains(k)).Distinct().Select(k => $"the table has {k}, which the server does not map"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_caller_gets_from_every_endpoint_what_its_rule_says()
    {
        var wrong = new List<string>();
        var clients = world.Callers.Where(c => !c.Refused).ToDictionary(c => c.Name, c => world.Client(c));
        try
        {
            // What destroys a repository goes last, and the admins last within it, so that every other line sees the
            // world as the table describes it.
            foreach (var row in Table.OrderBy(r => r.Destroys))
            {
                foreach (var method in row.Methods)
                {
                    foreach (var repository in row.Repositories)
                    {
                        foreach (var who in world.Callers)
                        {
                            using var client = who.Refused ? world.Client(who) : null;
                            var (got, detail) = await CallAsync(client ?? clients[who.Name], method, Fill(row, repository));
                            var expected = Expect(row.Rule, who, repository);
                            if (got != expected || detail is not null)
                            {
                                wrong.Add($"{method} {Fill(row, repository)} as {who}: the gate's answer was {got}, expected {expected}{(detail is null ? "" : $" ({detail})")}");
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} answers differ from the table:\n" + string.Join("\n", wrong));
    }

    private static Verdict Expect(Rule rule, Who who, string? repository)
    {
        if (rule.Kind == RuleKind.Open)
        {
            return Verdict.Passed;
        }

        if (who.Refused)
        {
            return Verdict.SignIn;
        }

        // A worker's token passes the worker calls and nothing else; no one else passes those.
        if (rule.Kind == RuleKind.Worker || who.IsWorker)
        {
            return rule.Kind == RuleKind.Worker && who.IsWorker ? Verdict.Passed : Verdict.SignIn;
        }

        var role = rule.Kind is RuleKind.Repository or RuleKind.Run ? who.On(repository!) : who.Global;
        return rule.Kind switch
        {
            RuleKind.SignedIn or RuleKind.Page or RuleKind.Listing => who.SignedIn ? Verdict.Passed : Verdict.SignIn,
            _ when !who.SignedIn && rule.Permission != Permission.ReadRuns => Verdict.SignIn,
            _ when RolePermissions.Allows(role, rule.Permission) => Verdict.Passed,
            _ when !who.SignedIn => Verdict.SignIn,
            RuleKind.Global => Verdict.Forbidden,
            _ => role is null ? Verdict.Hidden : Verdict.Forbidden,
        };
    }

    /// <summary>What the gate decided, read from the answer: the gate's own 401, sign-in redirect, 404 and 403 are
    /// recognised by their words; anything else is the endpoint's answer (it passed the gate). A 403 must name the role
    /// needed; a 429 means the failure limit answered in the gate's place.</summary>
    private static async Task<(Verdict Verdict, string? Problem)> CallAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            // Valid enough to reach the endpoint, wrong enough that it changes nothing.
            request.Content = new StringContent("""{"ref":"no-such-branch","forkPullRequests":"nonsense"}""", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = response.StatusCode;
        if (status is HttpStatusCode.Redirect or HttpStatusCode.Found
            && response.Headers.Location?.OriginalString.StartsWith("/login?return=", StringComparison.Ordinal) == true)
        {
            return (Verdict.SignIn, null);
        }

        if (status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests))
        {
            return (Verdict.Passed, null);
        }

        var body = await response.Content.ReadAsStringAsync();
        if (status == HttpStatusCode.TooManyRequests)
        {
            return (Verdict.Passed, "429: the failure limit answered");
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            return status switch
            {
                HttpStatusCode.NotFound when body.Contains("not yours to see", StringComparison.Ordinal) => (Verdict.Hidden, null),
                HttpStatusCode.Forbidden when body.Contains("Your role does not allow", StringComparison.Ordinal) => (Verdict.Forbidden, null),
                _ => (Verdict.Passed, null),
            };
        }

        using var json = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
        var detail = json.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return status switch
        {
            HttpStatusCode.Unauthorized when detail is AccessGate.SignInFirst or AccessGate.TokenRefused or AccessGate.WorkersOnly or AccessGate.NotForWorkers =>
                (Verdict.SignIn, null),
            HttpStatusCode.NotFound when detail.EndsWith("or it is not yours to see", StringComparison.Ordinal) => (Verdict.Hidden, null),
            HttpStatusCode.Forbidden when detail.StartsWith("this needs the ", StringComparison.Ordinal) =>
                json.RootElement.TryGetProperty("requiredRole", out var role) && role.GetString() is { Length: > 0 }
                    ? (Verdict.Forbidden, null)
                    : (Verdict.Forbidden, "403 without requiredRole: " + body),
            _ => (Verdict.Passed, null),
        };
    }

    private string Fill(Row row, string? repository)
    {
        var parts = repository?.Split('/') ?? [];
        var run = repository is null ? default : world.Runs[repository];
        var path = row.Pattern;
        path = path.Replace("{owner}/{repo}", repository, StringComparison.Ordinal)
            .Replace("{**name}", repository + row.Rest, StringComparison.Ordinal)
            .Replace("{**path}", repository + row.Rest, StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{forge}", "github", StringComparison.Ordinal)
            .Replace("{name}", AccessWorld.Secret, StringComparison.Ordinal)
            .Replace("{user}", NoOne, StringComparison.Ordinal)
            .Replace("{group}", NoOne, StringComparison.Ordinal)
            .Replace("{id}", "abcd1234", StringComparison.Ordinal)
            .Replace("{job}", "a", StringComparison.Ordinal)
            .Replace("{setId:long}", "1", StringComparison.Ordinal)
            .Replace("{entryId:long}", "1", StringComparison.Ordinal)
            .Replace("{leaseId:guid}", "0f8fad5b-d9cb-469f-a165-70867728950e", StringComparison.Ordinal);
        foreach (var id in new[] { "{id:long}", "{Id:long}", "{RunId:long}" })
        {
            path = path.Replace(id, repository is null ? "1" : run.Run.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        foreach (var id in new[] { "{jobId:long}", "{JobId:long}" })
        {
            path = path.Replace(id, run.Job.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        Assert.True(parts.Length != 0 || !path.Contains('{', StringComparison.Ordinal), $"{row.Pattern}: no value for a route parameter");
        return path;
    }

    /// <summary>"METHOD /pattern" of every endpoint the server maps.</summary>
    private IEnumerable<(string Key, RouteEndpoint Endpoint)> MappedEndpoints()
    {
        foreach (var endpoint in world.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"];
            foreach (var method in methods)
            {
                yield return ($"{method} {pattern}", endpoint);
            }
        }
    }

    private enum Verdict
    {
        Passed,
        SignIn,
        Hidden,
        Forbidden,
    }

    private enum RuleKind
    {
        Open,
        SignedIn,
        Listing,
        Page,
        Global,
        Repository,
        Run,
        Worker,
    }

    private sealed record Rule(RuleKind Kind, Permission Permission)
    {
        public static Rule Open { get; } = new(RuleKind.Open, default);

        public static Rule SignedIn { get; } = new(RuleKind.SignedIn, default);

        /// <summary>An API listing across repositories: those signed in, shown only what they may see (narrowed to one
        /// repository with <c>?repo=</c> it is that repository's read rule, which <see cref="WhoMayDoWhatTests"/> tries).</summary>
        public static Rule Listing { get; } = new(RuleKind.Listing, default);

        /// <summary>A listing for those signed in (the dashboard's pages, the repositories): someone not signed in is
        /// asked to sign in.</summary>
        public static Rule Page { get; } = new(RuleKind.Page, default);

        public static Rule Global(Permission permission) => new(RuleKind.Global, permission);

        public static Rule Repository(Permission permission) => new(RuleKind.Repository, permission);

        public static Rule Run(Permission permission) => new(RuleKind.Run, permission);

        /// <summary>The worker calls: a worker's token only.</summary>
        public static Rule Worker { get; } = new(RuleKind.Worker, default);

        public bool Describes(AccessRuleAttribute rule) => (Kind, rule) switch
        {
            (RuleKind.Open, OpenAccessAttribute) => true,
            (RuleKind.SignedIn, SignedInAccessAttribute) => true,
            (RuleKind.Listing or RuleKind.Page, ListingAccessAttribute) => true,
            (RuleKind.Global, GlobalAccessAttribute global) => global.Permission == Permission,
            (RuleKind.Repository, RepositoryAccessAttribute on) => on.Permission == Permission,
            (RuleKind.Repository, _) => rule.Describe() == "repository path",
            (RuleKind.Run, RunAccessAttribute run) => run.Permission == Permission,
            (RuleKind.Worker, WorkerAccessAttribute) => true,
            _ => false,
        };

        public override string ToString() => Kind is RuleKind.Global or RuleKind.Repository or RuleKind.Run ? $"{Kind} {Permission}" : Kind.ToString();
    }

    private sealed record Row(string Method, string Pattern, Rule Rule, string Rest = "")
    {
        public bool Destroys { get; init; }

        public IReadOnlyList<string> Methods => Method.Split(' ');

        public IEnumerable<string> Keys => Methods.Select(m => $"{m} {Pattern}");

        /// <summary>The repositories the line is tried on: each of the world's for a rule on a repository or a run
        /// (owner/repo routes: those of two parts), none for the rest.</summary>
        public IReadOnlyList<string?> Repositories =>
            Rule.Kind is RuleKind.Repository or RuleKind.Run
                ? Pattern.Contains("{owner}/{repo}", StringComparison.Ordinal) ? [AccessWorld.App, AccessWorld.Site] : [AccessWorld.App, AccessWorld.Site, AccessWorld.Deep]
                : [null];
    }
}
