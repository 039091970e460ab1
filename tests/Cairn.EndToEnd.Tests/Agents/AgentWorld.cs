using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Cli.Tests;
using Cairn.Server.Api;
using Cairn.Server.Tests;
using Cairn.Storage;

namespace Cairn.EndToEnd.Tests.Agents;

/// <summary>Everything an agent task touches, for real: a <c>cairn server</c> process running its own jobs (agent and
/// publish jobs take its reserved label), octo/app cloned from a local bare repository that the publish job pushes to,
/// a loopback GitHub for the pull request API, a loopback Plane connected with <c>cairn tracker add plane</c>, the stub
/// agent as <c>claude</c> (found through CAIRN_AGENT_CLAUDE), and alice, a Cairn user who may approve and whose email a
/// Plane member has.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class AgentWorld : IAsyncDisposable
{
    public const string Repository = "octo/app";
    public const string Workspace = "acme";
    public const string Project = "0b6f0c62-4a37-4d53-9b1e-8f0f2d4c1a11";
    public const string Approver = "alice";
    public const string ApproverMember = "member-alice";
    public const string ReporterMember = "member-rita";

    private const string WebhookSecret = "plane hook secret for the agents";
    private const string PlaneKey = "plane_api_key_for_the_agents";
    private const string ForgeToken = "ghs_agentWorldServerToken77";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly string[] _serverArgs;
    private ICairnStore? _store;

    private AgentWorld(string scenario, string[] serverArgs)
    {
        _serverArgs = serverArgs;
        Url = $"http://127.0.0.1:{FreePort()}";
        Admin = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        // A server running as root runs the agent as the steps' user: it must pass through to the stub and its scenario.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory.Path, (UnixFileMode)0b111_001_001);
        }

        Bin = StubAgents.CreateBin(Directory.Combine("bin"), scenario);
        Plane = new FakePlaneApi(PlaneKey, Workspace, Project);
        Plane.Labels["label-agent"] = "agent";
        Plane.Members[ApproverMember] = ("Alice@Example.test", "Alice");
        Plane.Members[ReporterMember] = ("rita@example.test", "Rita");
    }

    public TempDirectory Directory { get; } = new();

    public string Url { get; }

    public string Data => Directory.Combine("data");

    /// <summary>The folder of the stub's wrappers (and its scenario).</summary>
    public string Bin { get; }

    /// <summary>The repository; its <see cref="GitRepository.Remote"/> is the bare repository the server clones and pushes to.</summary>
    public GitRepository Repo { get; } = new();

    public FakePlaneApi Plane { get; }

    public FakePullRequestForge Forge { get; private set; } = null!;

    public HttpClient Admin { get; }

    /// <summary>A client with alice's API token.</summary>
    public HttpClient Alice { get; private set; } = null!;

    public CairnProcess Server { get; private set; } = null!;

    /// <summary>Starts it all, with <paramref name="pipeline"/> on main and the stub playing <paramref name="scenario"/>.</summary>
    public static async Task<AgentWorld> StartAsync(string pipeline, string scenario, params string[] serverArgs)
    {
        var world = new AgentWorld(scenario, serverArgs);
        world.Forge = await FakePullRequestForge.StartAsync("github");
        world.Repo.Commit(new Dictionary<string, string> { [".cairn.yml"] = pipeline, ["answer.txt"] = "nothing yet\n" }, "the pipeline");
        await world.StartServerAsync();
        var token = (await File.ReadAllTextAsync(Path.Combine(world.Data, "admin.token"), Token)).Trim();
        world.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await SucceedsAsync(await world.Admin.PostAsJsonAsync("/api/v1/repos", new
        {
            name = Repository, forge = "github", cloneUrl = world.Repo.CloneUrl, apiUrl = world.Forge.Url, webhookSecret = "forge hook secret", statusToken = ForgeToken,
        }, Token));
        await world.AddApproverAsync();
        await world.AddTrackerAsync(token);
        return world;
    }

    /// <summary>The store the server writes, opened beside it.</summary>
    public async Task<ICairnStore> StoreAsync() =>
        _store ??= await RunStores.OpenAsync(new StoreSettings(RunStores.Sqlite, Path.Combine(Data, "cairn.db")), TimeProvider.System, Token);

    /// <summary>A work item Plane knows, labelled <c>agent</c>.</summary>
    public string AddWorkItem(string name)
    {
        var id = Guid.NewGuid().ToString();
        Plane.WorkItems[id] = (name, $"Please: {name}", ["label-agent"]);
        return id;
    }

    /// <summary>Posts a v2 delivery to <c>/hooks/plane</c>, signed with the tracker's secret, as Plane sends it.</summary>
    public async Task DeliverAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/plane") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Plane-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes(body))));
        request.Headers.Add("X-Plane-Event", "workitem");
        using var anonymous = new HttpClient { BaseAddress = new Uri(Url) };
        using var response = await anonymous.SendAsync(request, Token);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
    }

    public static string WorkItemCreated(string workItem) => Delivery("workitem.created", workItem, new JsonObject
    {
        ["id"] = workItem,
        ["name"] = "as Plane sent it",
        ["project_id"] = Project,
        ["label_ids"] = new JsonArray("label-agent"),
        ["updated_by_id"] = "None",
        ["created_by_id"] = ReporterMember,
    });

    public static string CommentCreated(string workItem, string actor, string text) => Delivery("workitem.comment.created", workItem, new JsonObject
    {
        ["id"] = workItem,
        ["name"] = "as Plane sent it",
        ["project_id"] = Project,
        ["comment"] = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["actor_id"] = actor, ["issue_id"] = workItem, ["comment_stripped"] = text },
    });

    /// <summary>The one run the work item started, once it has.</summary>
    public async Task<RunView> RunOfAsync(string title)
    {
        var runs = await Eventually.ValueAsync(
            async () => (await Admin.GetFromJsonAsync<Page<RunView>>("/api/v1/runs", Token))!.Items,
            items => items.Count > 0,
            $"the work item '{title}' to start a run",
            TimeSpan.FromSeconds(60),
            _ => Outputs());
        return await GetRunAsync(Assert.Single(runs).Id);
    }

    public async Task<RunView> GetRunAsync(long id) => (await Admin.GetFromJsonAsync<RunView>($"/api/v1/runs/{id}", Token))!;

    /// <summary>Waits until the run's job <paramref name="name"/> is as <paramref name="until"/> wants, or has ended
    /// otherwise (then says how the run's jobs went, with their logs).</summary>
    public async Task<JobView> WaitForJobAsync(long run, string name, Func<JobView, bool> until, string what, TimeSpan? limit = null)
    {
        var job = await Eventually.ValueAsync(
            async () => (await GetRunAsync(run)).Jobs!.Single(j => j.Name == name),
            j => until(j) || j.Status is "succeeded" or "failed" or "cancelled" or "skipped",
            $"job {name} of run {run} {what}",
            limit ?? TimeSpan.FromSeconds(120),
            j => $"{j.Status} attempt {j.Attempt} {j.FailureClass}: {j.FailureDetail}\n{Outputs()}");
        Assert.True(until(job), $"job {name} of run {run} did not come {what}: {job.Status}\n{await DescribeAsync(run)}");
        return job;
    }

    /// <summary>The run's jobs, how they ended and what they logged: for a failure's message.</summary>
    public async Task<string> DescribeAsync(long run)
    {
        var text = new StringBuilder();
        foreach (var job in (await GetRunAsync(run)).Jobs!)
        {
            text.Append(CultureInfo.InvariantCulture, $"{job.Name}: {job.Status} attempt {job.Attempt} {job.FailureClass}: {job.FailureDetail}\n");
            foreach (var line in await LogAsync(job.Id))
            {
                text.Append("  | ").Append(line).Append('\n');
            }
        }

        return text.Append(Outputs()).ToString();
    }

    public Task<RunView> WaitForRunEndAsync(long run) =>
        Eventually.ValueAsync(
            () => GetRunAsync(run),
            view => view.Status is not ("running" or "waiting" or "queued"),
            $"run {run} to end",
            TimeSpan.FromSeconds(120),
            view => $"{view.Status}: {string.Join("; ", view.Jobs!.Select(j => $"{j.Name} {j.Status} {j.FailureClass} {j.FailureDetail}"))}\n{Outputs()}");

    /// <summary>Every stored line of a job, in order.</summary>
    public async Task<IReadOnlyList<string>> LogAsync(long jobId)
    {
        var store = await StoreAsync();
        var lines = new List<string>();
        long after = 0;
        while ((await store.ReadLogAsync(jobId, after, 1000, Token)) is { Count: > 0 } page)
        {
            lines.AddRange(page.Select(l => l.Text));
            after = page[^1].Sequence;
        }

        return lines;
    }

    /// <summary>Each start of the stub for the job, as the stub logged it under the HOME the executor gave it.</summary>
    public IReadOnlyList<JsonObject> Invocations(long run, long job) =>
        [.. StubAgents.Invocations(Path.Combine(Data + "-workspaces", "agents", $"run-{run}", $"job-{job}", "home")).Select(l => JsonNode.Parse(l)!.AsObject())];

    /// <summary>Runs git in the repository's bare remote.</summary>
    public string GitInRemote(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Repo.Remote, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        return git.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
    }

    /// <summary>Kills the server the hard way (SIGKILL): its own workers, and the agent they run, go with it or are orphaned.</summary>
    public async Task KillServerAsync()
    {
        await Server.SignalAsync("KILL");
        await Server.WaitAsync(TimeSpan.FromSeconds(30));
        await Server.DisposeAsync();
    }

    public async Task StartServerAsync()
    {
        Server = CairnProcess.Start(
            Directory.Path,
            new Dictionary<string, string?>
            {
                ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null, ["CAIRN_MASTER_KEY"] = null, ["KUBECONFIG"] = null,
                ["CAIRN_AGENT_CLAUDE"] = Path.Combine(Bin, "claude"),
            },
            ["server", "--data", Data, "--urls", Url, "--concurrency", "2", .. _serverArgs]);
        using var probe = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var health = await probe.GetAsync("/healthz", Token);
                    return health.IsSuccessStatusCode && File.Exists(Path.Combine(Data, "admin.token"));
                }
                catch (Exception error) when (error is HttpRequestException || (error is TaskCanceledException && !Token.IsCancellationRequested))
                {
                    return false;
                }
            },
            $"the server to answer on {Url}",
            TimeSpan.FromSeconds(60));
    }

    public string Outputs() => $"server stdout:\n{Server.StdoutSoFar}";

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await Forge.DisposeAsync();
        Plane.Dispose();
        Admin.Dispose();
        Alice?.Dispose();
        Repo.Dispose();
        Directory.Dispose();
    }

    private static string Delivery(string eventName, string workItem, JsonObject data) => new JsonObject
    {
        ["version"] = "v2",
        ["delivery_id"] = Guid.NewGuid().ToString(),
        ["event_id"] = Guid.NewGuid().ToString(),
        ["entity_id"] = workItem,
        ["entity_type"] = "issue",
        ["event"] = eventName,
        ["webhook_id"] = "w-1",
        ["workspace_id"] = "ws-1",
        ["data"] = data,
        ["previous_attributes"] = new JsonObject(),
    }.ToJsonString();

    private async Task AddApproverAsync()
    {
        await SucceedsAsync(await Admin.PostAsJsonAsync("/api/v1/users", new { name = Approver, role = "developer", email = "alice@example.test" }, Token));
        var created = await SucceedsAsync(await Admin.PostAsJsonAsync($"/api/v1/users/{Approver}/tokens", new { name = "alice-cli", scopes = new[] { "read", "trigger" } }, Token));
        using var document = JsonDocument.Parse(created);
        Alice = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        Alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", document.RootElement.GetProperty("token").GetString());
    }

    /// <summary>Connects the loopback Plane with the real CLI, the secrets read from files.</summary>
    private async Task AddTrackerAsync(string adminToken)
    {
        Directory.WriteFile("plane.secret", WebhookSecret + "\n");
        Directory.WriteFile("plane.key", PlaneKey + "\n");
        var added = await CairnProcess.RunAsync(
            Directory.Path,
            new Dictionary<string, string?> { ["CAIRN_SERVER"] = Url, ["CAIRN_TOKEN"] = adminToken },
            "tracker", "add", "plane", "--workspace", Workspace, "--project", Project, "--repo", Repository, "--api-url", Plane.Url.ToString(),
            "--webhook-secret-file", "plane.secret", "--api-key-file", "plane.key");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.DoesNotContain(PlaneKey, added.Stdout + added.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> SucceedsAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Token);
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            return text;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
