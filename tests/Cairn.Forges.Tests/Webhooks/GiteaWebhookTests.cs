using System.Text;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

public sealed class GiteaWebhookTests : IDisposable
{
    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    private IForge Gitea => _catalog.Get(ForgeKind.Gitea);

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void Verify_TakesTheBareHexHmac_InEitherCase()
    {
        var request = Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json"));
        var upper = request.WithHeader("X-Gitea-Signature", request.Header("X-Gitea-Signature")!.ToUpperInvariant());

        Assert.True(Gitea.Verify(request, Deliveries.Secret));
        Assert.True(Gitea.Verify(upper, Deliveries.Secret));
        Assert.False(Gitea.Verify(request, "another secret"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not hex at all")]
    [InlineData("sha256=")]
    public void Verify_RefusesMissingOrGarbledSignatures(string? signature)
    {
        var request = Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json")).WithHeader("X-Gitea-Signature", signature);

        Assert.False(Gitea.Verify(request, Deliveries.Secret));
    }

    [Fact]
    public void Verify_RefusesTheGitHubStylePrefix()
    {
        var request = Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json"));
        var prefixed = request.WithHeader("X-Gitea-Signature", "sha256=" + request.Header("X-Gitea-Signature"));

        Assert.False(Gitea.Verify(prefixed, Deliveries.Secret));
    }

    [Fact]
    public void Forgejo_HeadersAloneAreEnough()
    {
        var gitea = Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json"));
        var forgejo = new WebhookRequest(
            new Dictionary<string, string>
            {
                ["X-Forgejo-Event"] = "push",
                ["X-Forgejo-Delivery"] = "f6266f16-1bf3-46a5-9ea4-602e06ead473",
                ["X-Forgejo-Signature"] = gitea.Header("X-Gitea-Signature")!,
            },
            gitea.Body);

        Assert.True(Gitea.Verify(forgejo, Deliveries.Secret));
        Assert.Equal(new WebhookIdentity("f6266f16-1bf3-46a5-9ea4-602e06ead473", "push", "gitea/webhooks"), Gitea.Identify(forgejo));
        Assert.Equal("gitea:gitea/webhooks:f6266f16-1bf3-46a5-9ea4-602e06ead473", Gitea.Parse(forgejo).Trigger().IdempotencyKey);
    }

    [Fact]
    public void Identify_ReadsDeliveryEventAndRepository()
    {
        var identity = Gitea.Identify(Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json")));

        Assert.Equal(new WebhookIdentity(Deliveries.DeliveryId, "push", "gitea/webhooks"), identity);
    }

    [Fact]
    public void Identify_WithoutAnEventHeader_SaysSo()
    {
        var request = Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json")).WithHeader("X-Gitea-Event", null);

        Assert.Equal("the X-Forgejo-Event header is missing", Assert.Throws<WebhookFormatException>(() => Gitea.Identify(request)).Message);
    }

    [Fact]
    public void Parse_Push_IsATrigger()
    {
        var trigger = Gitea.Parse(Deliveries.Signed(ForgeKind.Gitea, "push", Deliveries.Sample("gitea/push.json"))).Trigger();

        Assert.Equal(TriggerKind.Push, trigger.Kind);
        Assert.Equal("gitea/webhooks", trigger.Repository);
        Assert.Equal("refs/heads/develop", trigger.Ref);
        Assert.Equal("bffeb74224043ba2feb48d137756c8a9331c449a", trigger.Sha);
        Assert.Equal("28e1879d029cb852e4844d9c718537df08844e03", trigger.Before);
        Assert.Equal("gitea", trigger.Sender);
        Assert.Equal($"gitea:gitea/webhooks:{Deliveries.DeliveryId}", trigger.IdempotencyKey);
    }

    [Fact]
    public void Parse_BranchDeletion_ComesAsAZeroAfter_AndIsIgnored()
    {
        var payload = Deliveries.Sample("gitea/push.json");
        payload["after"] = new string('0', 40);

        Assert.Contains("branch 'develop'", Gitea.Parse(Deliveries.Signed(ForgeKind.Gitea, "push", payload)).IgnoredReason());
    }

    [Theory]
    [InlineData("opened", "opened")]
    [InlineData("synchronized", "synchronize")]
    [InlineData("reopened", "reopened")]
    public void Parse_PullRequest_NormalisesGiteasActions(string action, string expected)
    {
        var payload = Deliveries.Sample("gitea/pull_request.json");
        payload["action"] = action;

        var trigger = Gitea.Parse(Deliveries.Signed(ForgeKind.Gitea, "pull_request", payload)).Trigger();

        Assert.Equal("refs/heads/feature", trigger.Ref);
        Assert.Equal("4a7b5b3d2e9f1c0a8b6d4e2f0a1c3e5b7d9f0a2c", trigger.Sha);
        Assert.Equal(
            new PullRequestInfo(7, expected, "master", "feature", "gitea/webhooks", false, "bffeb74224043ba2feb48d137756c8a9331c449a", "Add a feature", "alice"),
            trigger.PullRequest);
    }

    [Fact]
    public void Parse_PullRequestFromAFork_IsOnThePullRef()
    {
        var payload = Deliveries.Sample("gitea/pull_request.json");
        payload["pull_request"]!["head"]!["repo"]!["full_name"] = "alice/webhooks";

        var trigger = Gitea.Parse(Deliveries.Signed(ForgeKind.Gitea, "pull_request", payload)).Trigger();

        Assert.True(trigger.IsFork);
        Assert.Equal("refs/pull/7/head", trigger.Ref);
    }

    [Theory]
    [InlineData("closed")]
    [InlineData("label_updated")]
    [InlineData("assigned")]
    [InlineData("edited")]
    public void Parse_OtherPullRequestActions_AreIgnored(string action)
    {
        var payload = Deliveries.Sample("gitea/pull_request.json");
        payload["action"] = action;

        Assert.IsType<WebhookEvent.Ignored>(Gitea.Parse(Deliveries.Signed(ForgeKind.Gitea, "pull_request", payload)));
    }

    [Theory]
    [InlineData("create")]
    [InlineData("delete")]
    [InlineData("issues")]
    [InlineData("ping")]
    public void Parse_OtherEvents_AreIgnoredAsUnsupported(string eventName)
    {
        var request = Deliveries.Signed(ForgeKind.Gitea, eventName, Deliveries.Sample("gitea/push.json"));

        Assert.Equal($"event '{eventName}' is not supported", Gitea.Parse(request).IgnoredReason());
    }

    [Fact]
    public void Parse_AFormEncodedDelivery_ReadsItsPayloadField()
    {
        var json = Deliveries.Sample("gitea/push.json").ToJsonString();
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json).Replace("%20", "+", StringComparison.Ordinal));
        var request = Deliveries.Signed(ForgeKind.Gitea, "push", body).WithHeader("Content-Type", "application/x-www-form-urlencoded");

        Assert.Equal("refs/heads/develop", Gitea.Parse(request).Trigger().Ref);
    }
}
