using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

public sealed class BitbucketWebhookTests : IDisposable
{
    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    private IForge Bitbucket => _catalog.Get(ForgeKind.Bitbucket);

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void Verify_TakesTheSha256PrefixedHmac()
    {
        var request = Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", Deliveries.Sample("bitbucket/repo_push.json"));
        var upper = request.WithHeader("X-Hub-Signature", "sha256=" + request.Header("X-Hub-Signature")![7..].ToUpperInvariant());

        Assert.True(Bitbucket.Verify(request, Deliveries.Secret));
        Assert.True(Bitbucket.Verify(upper, Deliveries.Secret));
        Assert.False(Bitbucket.Verify(request, "another secret"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Verify_RefusesMissingGarbledOrWrongSignatures(string? signature)
    {
        var request = Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", Deliveries.Sample("bitbucket/repo_push.json"))
            .WithHeader("X-Hub-Signature", signature);

        Assert.False(Bitbucket.Verify(request, Deliveries.Secret));
    }

    [Fact]
    public void Identify_ReadsTheRequestUuidEventKeyAndRepository()
    {
        var identity = Bitbucket.Identify(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", Deliveries.Sample("bitbucket/repo_push.json")));

        Assert.Equal(new WebhookIdentity(Deliveries.DeliveryId, "repo:push", "emmap1/webhooks"), identity);
    }

    [Fact]
    public void Parse_RepoPush_IsATriggerOnTheFirstChange()
    {
        var trigger = Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", Deliveries.Sample("bitbucket/repo_push.json"))).Trigger();

        Assert.Equal(TriggerKind.Push, trigger.Kind);
        Assert.Equal("emmap1/webhooks", trigger.Repository);
        Assert.Equal("refs/heads/main", trigger.Ref);
        Assert.Equal("709d658dc5b6d6afcd46049c2f332ee3f515a67d", trigger.Sha);
        Assert.Equal("1e65c05c1d5171631d92438a13901ca7dae9618c", trigger.Before);
        Assert.Equal("emmap1", trigger.Sender);
        Assert.Equal($"bitbucket:emmap1/webhooks:{Deliveries.DeliveryId}", trigger.IdempotencyKey);
    }

    [Fact]
    public void Parse_NewTag_IsATriggerOnTheTag_WithoutBefore()
    {
        var payload = Deliveries.Sample("bitbucket/repo_push.json");
        var change = payload["push"]!["changes"]![0]!.AsObject();
        change["new"]!["type"] = "tag";
        change["new"]!["name"] = "v2.0";
        change["old"] = null;
        change["created"] = true;

        var trigger = Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", payload)).Trigger();

        Assert.Equal("refs/tags/v2.0", trigger.Ref);
        Assert.Null(trigger.Before);
    }

    [Fact]
    public void Parse_Deletion_IsIgnored()
    {
        var payload = Deliveries.Sample("bitbucket/repo_push.json");
        var change = payload["push"]!["changes"]![0]!.AsObject();
        change["new"] = null;
        change["closed"] = true;

        Assert.Equal("branch 'main' was deleted", Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_APushWithoutChanges_IsIgnored_AndWithoutTheList_IsAFormatError()
    {
        var empty = Deliveries.Sample("bitbucket/repo_push.json");
        empty["push"]!["changes"] = new JsonArray();
        var missing = Deliveries.Sample("bitbucket/repo_push.json");
        missing["push"] = new JsonObject();

        Assert.IsType<WebhookEvent.Ignored>(Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", empty)));
        Assert.Throws<WebhookFormatException>(() => Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "repo:push", missing)));
    }

    [Fact]
    public void Parse_PullRequestCreated_IsOpened_WithTheShortHashesBitbucketSends()
    {
        var trigger = Bitbucket.Parse(
            Deliveries.Signed(ForgeKind.Bitbucket, "pullrequest:created", Deliveries.Sample("bitbucket/pullrequest_created.json"))).Trigger();

        Assert.Equal(TriggerKind.PullRequest, trigger.Kind);
        Assert.Equal("emmap1/webhooks", trigger.Repository);
        Assert.Equal("refs/heads/feature", trigger.Ref);
        Assert.Equal("d3022fc0ca3d", trigger.Sha);
        Assert.Equal("emmap1", trigger.Sender);
        Assert.Equal(new PullRequestInfo(3, "opened", "main", "feature", "emmap1/webhooks", false, "ce5965ddd289", "Add a feature", "emmap1"), trigger.PullRequest);
    }

    [Fact]
    public void Parse_PullRequestUpdated_IsASynchronize()
    {
        var request = Deliveries.Signed(ForgeKind.Bitbucket, "pullrequest:updated", Deliveries.Sample("bitbucket/pullrequest_created.json"));

        Assert.Equal("synchronize", Bitbucket.Parse(request).Trigger().PullRequest!.Action);
    }

    [Fact]
    public void Parse_UpdateOfAPullRequestThatIsNoLongerOpen_IsIgnored()
    {
        var payload = Deliveries.Sample("bitbucket/pullrequest_created.json");
        payload["pullrequest"]!["state"] = "DECLINED";

        Assert.Contains("declined", Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "pullrequest:updated", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_PullRequestFromAFork_KeepsTheSourceBranchRef_AndNamesTheFork()
    {
        var payload = Deliveries.Sample("bitbucket/pullrequest_created.json");
        payload["pullrequest"]!["source"]!["repository"]!["full_name"] = "mallory/webhooks";
        payload["pullrequest"]!["author"] = new JsonObject { ["display_name"] = "Mallory", ["nickname"] = "mallory" };

        var trigger = Bitbucket.Parse(Deliveries.Signed(ForgeKind.Bitbucket, "pullrequest:created", payload)).Trigger();

        Assert.True(trigger.IsFork);
        Assert.Equal("refs/heads/feature", trigger.Ref);
        Assert.Equal("mallory/webhooks", trigger.PullRequest!.HeadRepository);
        Assert.Equal("mallory", trigger.PullRequest.Author);
    }

    [Theory]
    [InlineData("pullrequest:fulfilled")]
    [InlineData("pullrequest:rejected")]
    [InlineData("pullrequest:approved")]
    [InlineData("repo:fork")]
    [InlineData("diagnostics:ping")]
    public void Parse_OtherEvents_AreIgnoredAsUnsupported(string eventName)
    {
        var request = Deliveries.Signed(ForgeKind.Bitbucket, eventName, Deliveries.Sample("bitbucket/pullrequest_created.json"));

        Assert.Equal($"event '{eventName}' is not supported", Bitbucket.Parse(request).IgnoredReason());
    }
}
