using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Server.Trackers;
using Cairn.Testing;

namespace Cairn.Server.Tests.Trackers;

/// <summary>A real server with a repository whose pipeline runs on Plane's work items, a fake Plane and a tracker
/// connecting the two; deliveries are shaped as Plane's v2 webhooks and signed with the tracker's secret.</summary>
public sealed class PlaneHarness : IAsyncDisposable
{
    public const string Secret = "plane webhook secret";
    public const string ApiKey = "plane_api_abc123";
    public const string Workspace = "acme";
    public const string Project = "59e3be42-87ec-4950-99a3-ae639cf2b089";
    public const string Repository = "octo/app";

    public const string Pipeline = """
        name: ci
        on:
          plane: { events: [workitem.created, workitem.updated], labels: [agent] }
        jobs:
          build:
            steps:
              - run: echo "a work item's run"
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();

    private PlaneHarness(FakePlaneApi plane) => Plane = plane;

    public FakePlaneApi Plane { get; }

    public ServerHarness Server { get; private set; } = null!;

    public TrackerView Tracker { get; private set; } = null!;

    public static async Task<PlaneHarness> StartAsync(string pipeline = Pipeline)
    {
        var harness = new PlaneHarness(new FakePlaneApi(ApiKey, Workspace, Project));
        harness.Plane.Labels["label-agent"] = "agent";
        harness.Plane.Labels["label-docs"] = "docs";
        harness.repo.Commit(pipeline);
        harness.Server = await ServerHarness.StartAsync(
            harness.data.Path,
            adjust: runtime => runtime with { PlanePlanning = new PlanePlanning(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)) });
        await harness.Server.AddRepositoryAsync(Repository, "github", harness.repo.CloneUrl, "http://127.0.0.1:9", "forge secret");
        var added = await harness.Server.Client.PostAsJsonAsync("/api/v1/trackers", new
        {
            kind = "plane", workspace = Workspace, project = Project, repository = Repository, apiUrl = harness.Plane.Url.ToString(),
            webhookSecret = Secret, apiKey = ApiKey,
        });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        harness.Tracker = (await added.Content.ReadFromJsonAsync<TrackerView>())!;
        return harness;
    }

    /// <summary>A work item Plane knows, with the labels (ids) it carries.</summary>
    public string AddWorkItem(string name, params string[] labels)
    {
        var id = Guid.NewGuid().ToString();
        Plane.WorkItems[id] = (name, $"Please: {name}", labels);
        return id;
    }

    public static string WorkItemEvent(string eventName, string workItem, string? eventId = null, string project = Project) => new JsonObject
    {
        ["version"] = "v2",
        ["delivery_id"] = Guid.NewGuid().ToString(),
        ["event_id"] = eventId ?? Guid.NewGuid().ToString(),
        ["entity_id"] = workItem,
        ["entity_type"] = "issue",
        ["event"] = eventName,
        ["webhook_id"] = "w-1",
        ["workspace_id"] = "ws-1",
        ["data"] = new JsonObject
        {
            ["id"] = workItem,
            ["name"] = "as Plane sent it",
            ["project_id"] = project,
            ["label_ids"] = new JsonArray(),
            ["updated_by_id"] = "None",
            ["created_by_id"] = "member-1",
        },
        ["previous_attributes"] = new JsonObject(),
    }.ToJsonString();

    public static string CommentEvent(string workItem, string commentId, string actor, string text) => new JsonObject
    {
        ["version"] = "v2",
        ["delivery_id"] = Guid.NewGuid().ToString(),
        ["event_id"] = Guid.NewGuid().ToString(),
        ["entity_id"] = workItem,
        ["entity_type"] = "issue",
        ["event"] = "workitem.comment.created",
        ["webhook_id"] = "w-1",
        ["workspace_id"] = "ws-1",
        ["data"] = new JsonObject
        {
            ["id"] = workItem,
            ["name"] = "x",
            ["comment"] = new JsonObject { ["id"] = commentId, ["actor_id"] = actor, ["issue_id"] = workItem, ["comment_stripped"] = text },
        },
        ["previous_attributes"] = new JsonObject(),
    }.ToJsonString();

    public Task<HttpResponseMessage> SendAsync(string body, string secret = Secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/plane") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Plane-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
        request.Headers.Add("X-Plane-Event", "workitem");
        return Server.Anonymous.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Plane.Dispose();
        repo.Dispose();
        data.Dispose();
    }
}
