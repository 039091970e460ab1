using System.Text;
using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

public sealed class GitHubWebhookTests : IDisposable
{
    private const string Zero = "0000000000000000000000000000000000000000";

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    private IForge GitHub => _catalog.Get(ForgeKind.GitHub);

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void Verify_AcceptsTheDocumentedExampleSignature()
    {
        // GitHub's documentation: this secret and body give this signature.
        var request = new WebhookRequest(
            new Dictionary<string, string> { ["X-Hub-Signature-256"] = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" },
            Encoding.UTF8.GetBytes("Hello, World!"));

        Assert.True(GitHub.Verify(request, "It's a Secret to Everybody"));
        Assert.False(GitHub.Verify(request, "It's a secret to everybody"));
    }

    [Fact]
    public void Verify_TakesHexInEitherCase_AndHeaderNamesInAnyCase()
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json"));
        var upper = request.WithHeader("X-Hub-Signature-256", "sha256=" + request.Header("X-Hub-Signature-256")![7..].ToUpperInvariant());
        var renamed = new WebhookRequest(
            new Dictionary<string, string>(StringComparer.Ordinal) { ["x-hub-signature-256"] = request.Header("X-Hub-Signature-256")! },
            request.Body);

        Assert.True(GitHub.Verify(request, Deliveries.Secret));
        Assert.True(GitHub.Verify(upper, Deliveries.Secret));
        Assert.True(GitHub.Verify(renamed, Deliveries.Secret));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1g")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17ff")]
    public void Verify_RefusesMissingOrGarbledSignatures(string? signature)
    {
        var request = new WebhookRequest(new Dictionary<string, string>(), Encoding.UTF8.GetBytes("Hello, World!"))
            .WithHeader("X-Hub-Signature-256", signature);

        Assert.False(GitHub.Verify(request, "It's a Secret to Everybody"));
    }

    [Fact]
    public void Verify_RefusesAChangedBody_AnotherSecret_AndAnEmptySecret()
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json"));
        var changed = request with { Body = request.Body.ToArray().Append((byte)' ').ToArray() };
        var unsigned = Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json"), secret: "");

        Assert.False(GitHub.Verify(changed, Deliveries.Secret));
        Assert.False(GitHub.Verify(request, "another secret"));
        Assert.False(GitHub.Verify(unsigned, ""));
    }

    [Fact]
    public void Identify_ReadsDeliveryEventAndRepository()
    {
        var identity = GitHub.Identify(Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json")));

        Assert.Equal(new WebhookIdentity(Deliveries.DeliveryId, "push", "octo-org/hello-world"), identity);
    }

    [Fact]
    public void Identify_WithoutTheEventHeader_OrTheRepository_SaysWhat()
    {
        var payload = Deliveries.Sample("github/push.json");
        var noEvent = Deliveries.Signed(ForgeKind.GitHub, "push", payload).WithHeader("X-GitHub-Event", null);
        payload.Remove("repository");
        var noRepository = Deliveries.Signed(ForgeKind.GitHub, "push", payload);

        Assert.Equal("the X-GitHub-Event header is missing", Assert.Throws<WebhookFormatException>(() => GitHub.Identify(noEvent)).Message);
        Assert.Contains("repository.full_name", Assert.Throws<WebhookFormatException>(() => GitHub.Identify(noRepository)).Message);
    }

    [Fact]
    public void Parse_Push_IsATriggerWithRefShaBeforeSenderAndIdempotencyKey()
    {
        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json"))).Trigger();

        Assert.Equal(TriggerKind.Push, trigger.Kind);
        Assert.Equal("octo-org/hello-world", trigger.Repository);
        Assert.Equal("refs/heads/main", trigger.Ref);
        Assert.Equal("main", trigger.Branch);
        Assert.Equal("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", trigger.Sha);
        Assert.Equal("6113728f27ae82c7b1a177c8d03f9e96e0adf246", trigger.Before);
        Assert.Equal("octocat", trigger.Sender);
        Assert.Equal($"github:octo-org/hello-world:{Deliveries.DeliveryId}", trigger.IdempotencyKey);
        Assert.Null(trigger.PullRequest);
        Assert.Empty(trigger.Inputs);
    }

    [Fact]
    public void Parse_PushOfANewTag_HasNoBefore()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["ref"] = "refs/tags/v1.2.0";
        payload["before"] = Zero;
        payload["created"] = true;

        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).Trigger();

        Assert.Equal("refs/tags/v1.2.0", trigger.Ref);
        Assert.Equal("v1.2.0", trigger.Tag);
        Assert.Null(trigger.Before);
    }

    [Fact]
    public void Parse_WithoutADeliveryId_HasNoIdempotencyKey()
    {
        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", Deliveries.Sample("github/push.json"), deliveryId: null)).Trigger();

        Assert.Null(trigger.IdempotencyKey);
    }

    [Fact]
    public void Parse_IdempotencyKey_HoldsTheRepositoryInLowerCase_SoAnotherRepositoryReusingTheDeliveryIdGetsAnother()
    {
        var payload = Deliveries.Sample("github/push.json");
        var first = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).Trigger();
        payload["repository"]!["full_name"] = "Octo-Org/Hello-World";
        var otherCase = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).Trigger();
        payload["repository"]!["full_name"] = "octo-org/another";
        var another = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).Trigger();

        Assert.Equal(first.IdempotencyKey, otherCase.IdempotencyKey);
        Assert.Equal($"github:octo-org/another:{Deliveries.DeliveryId}", another.IdempotencyKey);
    }

    [Fact]
    public void Parse_BranchDeletion_IsIgnored()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["deleted"] = true;
        payload["after"] = Zero;

        Assert.Equal("branch 'main' was deleted", GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_ZeroAfter_IsADeletion_EvenWithoutTheDeletedFlag()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["ref"] = "refs/tags/v1";
        payload["after"] = Zero;

        Assert.Equal("tag 'v1' was deleted (the push's new SHA is all zeros)", GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_PushToAnotherKindOfRef_IsIgnored()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["ref"] = "refs/notes/commits";

        Assert.Contains("neither a branch nor a tag", GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_PushWithAnAfterThatIsNoSha_IsAFormatError()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["after"] = "$(rm -rf /)";

        Assert.Equal("'after' is not a commit SHA",
            Assert.Throws<WebhookFormatException>(() => GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload))).Message);
    }

    [Theory]
    [InlineData("opened", "opened")]
    [InlineData("synchronize", "synchronize")]
    [InlineData("reopened", "reopened")]
    public void Parse_PullRequest_IsATriggerOnTheHeadBranch(string action, string expected)
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["action"] = action;

        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request", payload)).Trigger();

        Assert.Equal(TriggerKind.PullRequest, trigger.Kind);
        Assert.Equal("octo-org/hello-world", trigger.Repository);
        Assert.Equal("refs/heads/changes", trigger.Ref);
        Assert.Equal("ec26c3e57ca3a959ca5aad62de7213c562f8c821", trigger.Sha);
        Assert.Equal("octocat", trigger.Sender);
        Assert.Equal($"github:octo-org/hello-world:{Deliveries.DeliveryId}", trigger.IdempotencyKey);
        Assert.False(trigger.IsFork);
        Assert.Equal(
            new PullRequestInfo(2, expected, "main", "changes", "octo-org/hello-world", false, "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
                "Update the README with new information.", "octocat"),
            trigger.PullRequest);
    }

    [Fact]
    public void Parse_PullRequestFromAFork_IsAForkOnThePullRef()
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["pull_request"]!["head"]!["repo"]!["full_name"] = "mallory/hello-world";
        payload["pull_request"]!["user"]!["login"] = "mallory";

        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request", payload)).Trigger();

        Assert.True(trigger.IsFork);
        Assert.Equal("refs/pull/2/head", trigger.Ref);
        Assert.Equal("mallory/hello-world", trigger.PullRequest!.HeadRepository);
        Assert.Equal("changes", trigger.PullRequest.HeadBranch);
        Assert.Equal("mallory", trigger.PullRequest.Author);
    }

    [Fact]
    public void Parse_PullRequestWhoseForkWasDeleted_IsAFork()
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["pull_request"]!["head"]!["repo"] = null;

        var trigger = GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request", payload)).Trigger();

        Assert.True(trigger.IsFork);
        Assert.Null(trigger.PullRequest!.HeadRepository);
        Assert.Equal("refs/pull/2/head", trigger.Ref);
    }

    [Theory]
    [InlineData("closed")]
    [InlineData("labeled")]
    [InlineData("edited")]
    [InlineData("assigned")]
    [InlineData("ready_for_review")]
    public void Parse_OtherPullRequestActions_AreIgnored(string action)
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["action"] = action;

        Assert.Contains($"'{action}'", GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_Ping_IsAPing()
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, "ping", Deliveries.Sample("github/ping.json"));

        Assert.Equal("octo-org/hello-world", GitHub.Identify(request).Repository);
        Assert.IsType<WebhookEvent.Ping>(GitHub.Parse(request));
    }

    [Theory]
    [InlineData("issues")]
    [InlineData("release")]
    [InlineData("check_run")]
    public void Parse_OtherEvents_AreIgnoredAsUnsupported(string eventName)
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, eventName, Deliveries.Sample("github/ping.json"));

        Assert.Equal($"event '{eventName}' is not supported", GitHub.Parse(request).IgnoredReason());
    }

    [Fact]
    public void Parse_AFormEncodedDelivery_ReadsItsPayloadField()
    {
        var json = Deliveries.Sample("github/push.json").ToJsonString();
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json));
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", body).WithHeader("Content-Type", "application/x-www-form-urlencoded");

        Assert.True(GitHub.Verify(request, Deliveries.Secret));
        Assert.Equal("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", GitHub.Parse(request).Trigger().Sha);
    }

    [Fact]
    public void Parse_APullRequestWithoutItsHead_SaysWhichFieldIsMissing()
    {
        var payload = Deliveries.Sample("github/pull_request.json");
        payload["pull_request"]!.AsObject().Remove("head");

        var error = Assert.Throws<WebhookFormatException>(() => GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "pull_request", payload)));

        Assert.Equal("'pull_request.head.ref' is missing", error.Message);
    }

    [Fact]
    public void Parse_FieldsOfTheWrongKind_AreFormatErrors()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["ref"] = new JsonArray(1, 2);

        Assert.Throws<WebhookFormatException>(() => GitHub.Parse(Deliveries.Signed(ForgeKind.GitHub, "push", payload)));
    }
}
