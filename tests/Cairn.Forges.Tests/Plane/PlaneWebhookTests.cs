using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Forges;
using Cairn.Forges.Plane;
using Cairn.Testing;

namespace Cairn.Forges.Tests.Plane;

/// <summary>Plane's webhooks from the corpus (v2, as Plane documents them) and v1 bodies as Plane's source builds them:
/// the signature over the raw bytes, the event in its dot name whatever the spelling, "None" read as nothing, the
/// dedupe key, and comments.</summary>
public sealed class PlaneWebhookTests
{
    private const string Secret = "plane-secret";

    [Fact]
    public void Verify_TakesTheBareHexHmacOfTheRawBody_AndNothingElse()
    {
        var body = WebhookCorpus.Body("plane-workitem_updated-v2_planedocs.json");
        Assert.True(PlaneWebhook.Verify(Signed(body), Secret));
        Assert.True(PlaneWebhook.Verify(Signed(body, Sign(body).ToUpperInvariant()), Secret));
        Assert.False(PlaneWebhook.Verify(Signed(body), "another"));
        Assert.False(PlaneWebhook.Verify(Signed(body), ""));
        Assert.False(PlaneWebhook.Verify(Signed(body, "sha256=" + Sign(body)), Secret));
        Assert.False(PlaneWebhook.Verify(new WebhookRequest(new Dictionary<string, string>(), body), Secret));
        var tampered = body.ToArray();
        tampered[^3] ^= 1;
        Assert.False(PlaneWebhook.Verify(Signed(tampered, Sign(body)), Secret));
    }

    [Fact]
    public void Parse_ReadsTheCorpusAsTheManifestExpects()
    {
        foreach (var file in new[] { "plane-workitem_updated-v2_planedocs.json", "plane-workitem_comment_created-v2_planedocs.json", "plane-workitem_link_created-v2_planedocs.json" })
        {
            var expect = WebhookCorpus.Entry(file).GetProperty("expect");
            var parsed = PlaneWebhook.Parse(Signed(WebhookCorpus.Body(file)));
            Assert.Equal(expect.GetProperty("event_id").GetString(), parsed.DedupeKey);
            Assert.Equal(expect.GetProperty("workspace_id").GetString(), parsed.WorkspaceId);
            Assert.Equal("v2", parsed.Version);
        }
    }

    [Fact]
    public void Parse_ReadsTheEnumSpellingOfAnUpdate_AndNoneAsNothing()
    {
        var parsed = PlaneWebhook.Parse(Signed(WebhookCorpus.Body("plane-workitem_updated-v2_planedocs.json")));

        Assert.Equal(PlaneDelivery.WorkItemUpdated, parsed.Event);
        Assert.True(parsed.IsWorkItemChange);
        Assert.Equal("775c5716-5302-4617-bb9f-2cd843911268", parsed.WorkItem);
        Assert.Equal("59e3be42-87ec-4950-99a3-ae639cf2b089", parsed.ProjectId);
        Assert.Equal("webhook test 3", parsed.Title);
        Assert.Empty(parsed.LabelIds);
        Assert.Equal("754009ab-3fb5-424e-909a-b46e9c9d0c4f", parsed.Actor);
        Assert.Null(parsed.Comment);
    }

    [Fact]
    public void Parse_ReadsACommentWithItsAuthorAndText()
    {
        var parsed = PlaneWebhook.Parse(Signed(WebhookCorpus.Body("plane-workitem_comment_created-v2_planedocs.json")));

        Assert.Equal(PlaneDelivery.CommentCreated, parsed.Event);
        Assert.False(parsed.IsWorkItemChange);
        Assert.Equal("088a83b9-a53f-4dda-b2bc-c860cf455997", parsed.WorkItem);
        Assert.Equal(new PlaneCommentEvent("4797f841-c731-4e55-971f-d9cfe1938dfb", "88fc36c8-73b0-4547-81c7-96b70f61835e", "Webhook Test Comment"), parsed.Comment);
    }

    [Fact]
    public void Parse_ALinkEvent_IsAboutItsWorkItem_AndStartsNothing()
    {
        var parsed = PlaneWebhook.Parse(Signed(WebhookCorpus.Body("plane-workitem_link_created-v2_planedocs.json")));

        Assert.Equal("workitem.link.created", parsed.Event);
        Assert.Equal("8661bdfa-098f-434d-8e44-b1f32de62406", parsed.WorkItem);
        Assert.False(parsed.IsWorkItemChange);
    }

    [Theory]
    [InlineData("WebhookScope.ScopeChoices.WORK_ITEM_CREATED", "workitem.created")]
    [InlineData("WebhookScope.ScopeChoices.WORK_ITEM_COMMENT_CREATED", "workitem.comment.created")]
    [InlineData("workitem.updated", "workitem.updated")]
    public void EventName_IsTheDotName(string raw, string expected) => Assert.Equal(expected, PlaneWebhook.EventName(raw));

    [Theory]
    [InlineData("created")]
    [InlineData("create")]
    public void Parse_AV1IssueCreation_IsAWorkItemCreated_DedupedOnItsBody(string action)
    {
        var body = Encoding.UTF8.GetBytes(
            "{\"event\": \"issue\", \"action\": \"" + action + "\", \"webhook_id\": \"w\", \"workspace_id\": \"ws\", "
            + "\"data\": {\"id\": \"item-9\", \"name\": \"Fix the thing\", \"project\": \"p-1\", \"labels\": [\"l-1\"], "
            + "\"description_stripped\": \"Please\"}, \"activity\": {\"field\": null, \"actor\": {\"id\": \"u-1\", \"display_name\": \"ann\"}}}");
        var parsed = PlaneWebhook.Parse(Signed(body));

        Assert.Equal(PlaneDelivery.WorkItemCreated, parsed.Event);
        Assert.Equal("v1", parsed.Version);
        Assert.Equal("item-9", parsed.WorkItem);
        Assert.Equal("p-1", parsed.ProjectId);
        Assert.Equal(["l-1"], parsed.LabelIds);
        Assert.Equal("Please", parsed.Description);
        Assert.Equal("u-1", parsed.Actor);
        Assert.Equal(PlaneWebhook.BodyKey(body), parsed.DedupeKey);
        Assert.StartsWith("sha256:", parsed.DedupeKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AV1Comment_IsACommentCreated()
    {
        var body = Encoding.UTF8.GetBytes(
            "{\"event\": \"issue_comment\", \"action\": \"create\", \"data\": {\"id\": \"c-1\", \"issue\": \"item-9\", \"project\": \"p-1\", "
            + "\"comment_stripped\": \"looks good :approved:\"}, \"activity\": {\"actor\": {\"id\": \"u-2\"}}}");
        var parsed = PlaneWebhook.Parse(Signed(body));

        Assert.Equal(PlaneDelivery.CommentCreated, parsed.Event);
        Assert.Equal("item-9", parsed.WorkItem);
        Assert.Equal(new PlaneCommentEvent("c-1", "u-2", "looks good :approved:"), parsed.Comment);
    }

    [Fact]
    public void Parse_RefusesWhatIsNotADelivery()
    {
        Assert.Throws<WebhookFormatException>(() => PlaneWebhook.Parse(Signed("not json"u8.ToArray())));
        Assert.Throws<WebhookFormatException>(() => PlaneWebhook.Parse(Signed("{\"version\": \"v2\"}"u8.ToArray())));
    }

    private static WebhookRequest Signed(byte[] body, string? signature = null) =>
        new(new Dictionary<string, string> { ["X-Plane-Signature"] = signature ?? Sign(body) }, body);

    private static string Sign(byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));
}
