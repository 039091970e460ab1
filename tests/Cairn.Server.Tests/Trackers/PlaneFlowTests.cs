using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Runs;
using Cairn.Server.Api;
using Cairn.Server.Trackers;
using Cairn.Server.Webhooks;
using Cairn.Storage;
using Cairn.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Trackers;

/// <summary>Plane's webhooks through a real server's <c>/hooks/plane</c> to runs, and the comments back, against a fake
/// Plane on loopback.</summary>
public sealed class PlaneFlowTests
{
    [Fact]
    public async Task A_labelled_work_item_starts_a_run_from_the_default_branch_and_is_told_when_it_starts_and_ends()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("Add a button", "label-agent");

        var response = await h.SendAsync(PlaneHarness.WorkItemEvent("workitem.created", item));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var entry = await h.Server.WaitForEventAsync(answer.EventId!.Value);
        Assert.Equal("planned", entry.State);
        Assert.Equal("plane", entry.Source);
        Assert.Equal(PlaneHarness.Repository, entry.Repository);
        var run = await h.Server.WaitForRunAsync(entry.RunId!.Value);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal("refs/heads/main", run.Ref);
        Assert.Equal("plane", run.Event);

        var stored = await h.Server.Services.GetRequiredService<IRunStore>().GetRunAsync(run.Id, CancellationToken.None);
        var workItem = stored!.Trigger!.WorkItem!;
        Assert.Equal("Add a button", workItem.Title);
        Assert.Equal("WEB-12", workItem.Key);
        Assert.Equal(item, workItem.Id);
        Assert.Equal("Please: Add a button", workItem.Description);
        Assert.Equal(["agent"], workItem.Labels);
        Assert.Equal("workitem.created", workItem.Event);
        Assert.Equal($"{h.Plane.Url}{PlaneHarness.Workspace}/projects/{PlaneHarness.Project}/issues/{item}", workItem.Url);

        await Eventually.TrueAsync(
            () => h.Plane.Comments.ContainsKey($"cairn-run-{run.Id}-started") && h.Plane.Comments.ContainsKey($"cairn-run-{run.Id}-finished"),
            "the started and finished comments to be posted");
        Assert.Contains($"{ServerHarness.PublicUrl}runs/{run.Id}", h.Plane.Comments[$"cairn-run-{run.Id}-started"].Html, StringComparison.Ordinal);
        Assert.Contains("succeeded", h.Plane.Comments[$"cairn-run-{run.Id}-finished"].Html, StringComparison.Ordinal);
        Assert.All(h.Plane.Comments.Values, c => Assert.Equal(item, c.WorkItem));
        Assert.All(h.Plane.Requests, r => Assert.Equal(PlaneHarness.ApiKey, r.ApiKey));

        var trackers = (await h.Server.Client.GetFromJsonAsync<Page<TrackerView>>("/api/v1/trackers"))!.Items;
        Assert.Equal("cairn-bot", Assert.Single(trackers).BotUser);
        Assert.DoesNotContain(PlaneHarness.ApiKey, await h.Server.Client.GetStringAsync("/api/v1/trackers"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_signatures_are_refused_duplicates_are_planned_once_and_a_work_item_without_the_label_starts_nothing()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("Labelled", "label-agent");
        var body = PlaneHarness.WorkItemEvent("workitem.created", item, eventId: "event-1");

        Assert.Equal(HttpStatusCode.Unauthorized, (await h.SendAsync(body, secret: "not the secret")).StatusCode);
        var unsigned = await h.Server.Anonymous.PostAsync("/hooks/plane", new StringContent(body));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        var first = (await (await h.SendAsync(body)).Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var again = await h.SendAsync(body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var duplicate = (await again.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        Assert.True(duplicate.Duplicate);
        Assert.Equal(first.EventId, duplicate.EventId);

        var plain = h.AddWorkItem("Docs only", "label-docs");
        var ignored = (await (await h.SendAsync(PlaneHarness.WorkItemEvent("workitem.created", plain))).Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var entry = await h.Server.WaitForEventAsync(ignored.EventId!.Value);
        Assert.Equal("ignored", entry.State);
        Assert.Contains("on.plane.labels", entry.Detail, StringComparison.Ordinal);

        await h.Server.WaitForPlanningAsync();
        Assert.Single(await h.Server.ListRunsAsync());
    }

    [Fact]
    public async Task A_burst_of_updates_to_one_work_item_makes_one_run()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("Edited field by field", "label-agent");

        foreach (var _ in Enumerable.Range(0, 4))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await h.SendAsync(PlaneHarness.WorkItemEvent("workitem.updated", item))).StatusCode);
        }

        await h.Server.WaitForPlanningAsync();
        var events = await h.Server.ListEventsAsync();
        Assert.Equal(4, events.Count);
        Assert.Single(events, e => e.State == "planned");
        Assert.All(events.Where(e => e.State != "planned"), e => Assert.Equal("ignored", e.State));
        Assert.Single(await h.Server.ListRunsAsync());
    }

    [Fact]
    public async Task Cairns_own_comments_other_projects_and_plain_comments_are_journaled_as_ignored()
    {
        await using var h = await PlaneHarness.StartAsync();
        var store = h.Server.Services.GetRequiredService<ICairnStore>();
        await store.SetTrackerBotUserAsync(h.Tracker.Id, "cairn-bot", CancellationToken.None);
        await store.EnqueueCommentAsync(h.Tracker.Id, "item-1", "cairn-run-9-started", "<p>x</p>", DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        var queued = (await store.GetCommentAsync("cairn-run-9-started", CancellationToken.None))!;
        await store.MarkCommentDeliveredAsync(queued.Id, "posted-by-cairn", DateTimeOffset.UtcNow, CancellationToken.None);

        var byBot = await Answer(h, PlaneHarness.CommentEvent("item-1", "c-1", "cairn-bot", ":approved:"));
        var posted = await Answer(h, PlaneHarness.CommentEvent("item-1", "posted-by-cairn", "someone", ":approved:"));
        var plain = await Answer(h, PlaneHarness.CommentEvent("item-1", "c-2", "member-1", "looks fine"));
        var elsewhere = await Answer(h, PlaneHarness.WorkItemEvent("workitem.created", "item-2", project: "another-project"));
        var link = await Answer(h, System.Text.Encoding.UTF8.GetString(WebhookCorpus.Body("plane-workitem_link_created-v2_planedocs.json")));
        var deleted = await Answer(h, PlaneHarness.WorkItemEvent("workitem.deleted", "item-3"));

        Assert.Equal("a comment Cairn posted", byBot.Ignored);
        Assert.Equal("a comment Cairn posted", posted.Ignored);
        Assert.Equal("a comment without :approved: or :rejected:", plain.Ignored);
        Assert.Contains("another project", elsewhere.Ignored, StringComparison.Ordinal);
        Assert.Contains("another project", link.Ignored, StringComparison.Ordinal);
        Assert.Equal("workitem.deleted starts nothing", deleted.Ignored);
        var events = await h.Server.ListEventsAsync();
        Assert.Equal(6, events.Count);
        Assert.All(events, e => Assert.Equal("ignored", e.State));
    }

    [Fact]
    public async Task An_unreachable_Plane_leaves_the_event_pending_and_it_is_planned_once_Plane_answers()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("While Plane is down", "label-agent");
        h.Plane.Mode = FakePlaneMode.Failing;

        var answer = await Answer(h, PlaneHarness.WorkItemEvent("workitem.created", item));
        var waiting = await Eventually.ValueAsync(
            async () => (await h.Server.Client.GetFromJsonAsync<EventView>($"/api/v1/events/{answer.EventId}"))!,
            e => e.Detail?.Contains("waiting for Plane", StringComparison.Ordinal) == true,
            "the event to wait for Plane");
        Assert.Equal("pending", waiting.State);
        Assert.Empty(await h.Server.ListRunsAsync());

        h.Plane.Mode = FakePlaneMode.Normal;
        var planned = await h.Server.WaitForEventAsync(answer.EventId!.Value);
        Assert.Equal("planned", planned.State);
        Assert.Single(await h.Server.ListRunsAsync());
    }

    [Fact]
    public async Task A_v1_issue_delivery_starts_a_run_deduplicated_on_its_body()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("From an older Plane", "label-agent");
        var body = "{\"event\": \"issue\", \"action\": \"created\", \"webhook_id\": \"w-1\", \"workspace_id\": \"ws-1\", \"data\": {\"id\": \""
            + item + "\", \"name\": \"From an older Plane\", \"project\": \"" + PlaneHarness.Project
            + "\", \"labels\": []}, \"activity\": {\"field\": null, \"actor\": {\"id\": \"member-1\"}}}";

        var answer = await Answer(h, body);
        Assert.True((await (await h.SendAsync(body)).Content.ReadFromJsonAsync<WebhookAnswer>())!.Duplicate);
        var entry = await h.Server.WaitForEventAsync(answer.EventId!.Value);
        Assert.Equal("planned", entry.State);
        Assert.StartsWith("sha256:", entry.DeliveryId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comment_Plane_refuses_for_a_while_is_posted_once_and_a_409_counts_as_delivered()
    {
        await using var h = await PlaneHarness.StartAsync();
        var item = h.AddWorkItem("Comments fail first", "label-agent");
        h.Plane.FailComment("cairn-run-1-started", 500, 429);
        h.Plane.SeedComment("cairn-run-1-finished", item);

        var answer = await Answer(h, PlaneHarness.WorkItemEvent("workitem.created", item));
        var run = await h.Server.WaitForRunAsync((await h.Server.WaitForEventAsync(answer.EventId!.Value)).RunId!.Value);
        Assert.Equal(1, run.Id);

        var store = h.Server.Services.GetRequiredService<ICairnStore>();
        var started = await Eventually.ValueAsync(
            () => store.GetCommentAsync("cairn-run-1-started", CancellationToken.None),
            c => c?.DeliveredAt is not null,
            "the started comment to be delivered");
        Assert.Equal(3, started!.Attempts);
        Assert.Equal(h.Plane.Comments["cairn-run-1-started"].Id, started.PostedId);
        var finished = await Eventually.ValueAsync(
            () => store.GetCommentAsync("cairn-run-1-finished", CancellationToken.None),
            c => c?.DeliveredAt is not null,
            "the finished comment to be taken as delivered");
        Assert.Equal("seeded-cairn-run-1-finished", finished!.PostedId);
        Assert.Equal(3, h.Plane.Requests.Count(r => r.Method == "POST" && r.Body.Contains("cairn-run-1-started", StringComparison.Ordinal)));
        Assert.Equal(1, h.Plane.Requests.Count(r => r.Method == "POST" && r.Body.Contains("cairn-run-1-finished", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_comment_Plane_refuses_for_good_is_given_up_with_its_reason()
    {
        await using var h = await PlaneHarness.StartAsync();
        var store = h.Server.Services.GetRequiredService<ICairnStore>();
        h.Plane.WorkItems["item-9"] = ("x", null, []);
        h.Plane.FailComment("cairn-run-5-started", 403);

        await store.EnqueueCommentAsync(h.Tracker.Id, "item-9", "cairn-run-5-started", "<p>x</p>", DateTimeOffset.UtcNow, CancellationToken.None);

        var refused = await Eventually.ValueAsync(
            () => store.GetCommentAsync("cairn-run-5-started", CancellationToken.None),
            c => c?.LastError is not null,
            "the comment to be given up");
        Assert.Contains("403", refused!.LastError, StringComparison.Ordinal);
        Assert.Null(refused.DeliveredAt);
        Assert.Empty(await store.GetDueCommentsAsync(DateTimeOffset.UtcNow.AddDays(1), 10, CancellationToken.None));
    }

    private static async Task<WebhookAnswer> Answer(PlaneHarness h, string body)
    {
        var response = await h.SendAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
    }
}
