using System.Text;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Webhooks;

/// <summary>Bodies no forge would send: whatever arrives, the answer is a <see cref="WebhookFormatException"/> with a
/// short message, or an event.</summary>
public sealed class WebhookRobustnessTests : IDisposable
{
    public static readonly TheoryData<ForgeKind, string, string> Samples = new()
    {
        { ForgeKind.GitHub, "push", "github/push.json" },
        { ForgeKind.GitHub, "pull_request", "github/pull_request.json" },
        { ForgeKind.Gitea, "push", "gitea/push.json" },
        { ForgeKind.Gitea, "pull_request", "gitea/pull_request.json" },
        { ForgeKind.GitLab, "Push Hook", "gitlab/push.json" },
        { ForgeKind.GitLab, "Tag Push Hook", "gitlab/tag_push.json" },
        { ForgeKind.GitLab, "Merge Request Hook", "gitlab/merge_request.json" },
        { ForgeKind.Bitbucket, "repo:push", "bitbucket/repo_push.json" },
        { ForgeKind.Bitbucket, "pullrequest:created", "bitbucket/pullrequest_created.json" },
    };

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    public void Dispose() => _catalog.Dispose();

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySample_IsIdentifiedVerifiedAndParsedAsATrigger(ForgeKind forge, string eventName, string sample)
    {
        var request = Deliveries.Signed(forge, eventName, Deliveries.Sample(sample));
        var identity = _catalog.Get(forge).Identify(request);

        Assert.True(_catalog.Get(forge).Verify(request, Deliveries.Secret));
        Assert.Equal(identity.Repository, _catalog.Get(forge).Parse(request).Trigger().Repository);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"repository\": {\"full_name\": \"a/b\"}")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("null")]
    [InlineData("{} {}")]
    [InlineData("{\"repository\": {\"full_name\": 42}}")]
    [InlineData("{\"repository\": \"a/b\"}")]
    [InlineData("{\"project\": null, \"repository\": null}")]
    public void MalformedBodies_AreFormatErrors_ForEveryForge(string body)
    {
        foreach (var (forge, eventName) in Events())
        {
            var request = Deliveries.Signed(forge, eventName, Encoding.UTF8.GetBytes(body));

            var identify = Assert.Throws<WebhookFormatException>(() => _catalog.Get(forge).Identify(request));
            Assert.Throws<WebhookFormatException>(() => _catalog.Get(forge).Parse(request));
            Assert.InRange(identify.Message.Length, 1, 120);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryTruncation_IsAFormatError(ForgeKind forge, string eventName, string sample)
    {
        var body = Encoding.UTF8.GetBytes(Deliveries.Sample(sample).ToJsonString());
        for (var length = 0; length < body.Length; length += 7)
        {
            var request = Deliveries.Signed(forge, eventName, body[..length]);

            Assert.Throws<WebhookFormatException>(() => _catalog.Get(forge).Identify(request));
            Assert.Throws<WebhookFormatException>(() => _catalog.Get(forge).Parse(request));
        }
    }

    [Fact]
    public void ABodyOverTheLimit_IsAFormatError_ButCanStillBeVerified()
    {
        var body = new byte[25 * 1024 * 1024 + 1];
        Array.Fill(body, (byte)' ');
        "{}"u8.CopyTo(body);
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", body);
        var github = _catalog.Get(ForgeKind.GitHub);

        Assert.Equal("the body is larger than 25 MB", Assert.Throws<WebhookFormatException>(() => github.Identify(request)).Message);
        Assert.Throws<WebhookFormatException>(() => github.Parse(request));
        Assert.True(github.Verify(request, Deliveries.Secret));
    }

    [Fact]
    public void ALargeBodyUnderTheLimit_IsParsed()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["padding"] = new string('x', 5 * 1024 * 1024);
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", payload);

        Assert.Equal("refs/heads/main", _catalog.Get(ForgeKind.GitHub).Parse(request).Trigger().Ref);
    }

    [Fact]
    public void DeepNesting_IsAFormatError()
    {
        var body = Encoding.UTF8.GetBytes("{\"repository\":" + new string('[', 10_000) + new string(']', 10_000) + "}");

        foreach (var (forge, eventName) in Events())
        {
            Assert.Throws<WebhookFormatException>(() => _catalog.Get(forge).Identify(Deliveries.Signed(forge, eventName, body)));
        }
    }

    [Fact]
    public void InvalidUtf8InAField_IsAFormatError()
    {
        var body = Encoding.UTF8.GetBytes("{\"repository\":{\"full_name\":\"octo/XX\"}}");
        var at = Array.IndexOf(body, (byte)'X');
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        var error = Assert.Throws<WebhookFormatException>(() => _catalog.Get(ForgeKind.GitHub).Identify(Deliveries.Signed(ForgeKind.GitHub, "push", body)));

        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void AUtf8ByteOrderMark_IsSkipped()
    {
        var body = "\uFEFF"u8.ToArray().Concat(Encoding.UTF8.GetBytes(Deliveries.Sample("github/push.json").ToJsonString())).ToArray();

        Assert.Equal("octo-org/hello-world", _catalog.Get(ForgeKind.GitHub).Identify(Deliveries.Signed(ForgeKind.GitHub, "push", body)).Repository);
    }

    [Fact]
    public void ControlCharactersInNames_AreFormatErrors_AndNeverQuotedBack()
    {
        var payload = Deliveries.Sample("github/push.json");
        payload["repository"]!["full_name"] = "octo/hello\nX-Injected: yes";

        var error = Assert.Throws<WebhookFormatException>(() => _catalog.Get(ForgeKind.GitHub).Identify(Deliveries.Signed(ForgeKind.GitHub, "push", payload)));

        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnUnsupportedEventName_IsQuotedBackAsItCame()
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, "security_advisory", Deliveries.Sample("github/push.json"));

        Assert.Equal("event 'security_advisory' is not supported", _catalog.Get(ForgeKind.GitHub).Parse(request).IgnoredReason());
    }

    [Theory]
    [InlineData("push\u0001")]
    [InlineData("pull_request\u001b[31m")]
    [InlineData(null)]
    public void AnEventNameThatCannotBeOne_IsAFormatError(string? eventName)
    {
        var request = Deliveries.Signed(ForgeKind.GitHub, eventName ?? new string('x', 500), Deliveries.Sample("github/push.json"));

        var error = Assert.Throws<WebhookFormatException>(() => _catalog.Get(ForgeKind.GitHub).Identify(request));

        Assert.Equal("the X-GitHub-Event header is not an event name", error.Message);
    }

    [Fact]
    public void ADeliveryIdThatCannotBeAKey_IsLeftOut()
    {
        var request = Deliveries.Signed(ForgeKind.GitLab, "Push Hook", Deliveries.Sample("gitlab/push.json"), deliveryId: new string('7', 201));

        Assert.Null(_catalog.Get(ForgeKind.GitLab).Identify(request).DeliveryId);
        Assert.Null(_catalog.Get(ForgeKind.GitLab).Parse(request).Trigger().IdempotencyKey);
    }

    private static IEnumerable<(ForgeKind Forge, string EventName)> Events() =>
    [
        (ForgeKind.GitHub, "push"), (ForgeKind.GitHub, "pull_request"),
        (ForgeKind.Gitea, "push"), (ForgeKind.Gitea, "pull_request"),
        (ForgeKind.GitLab, "Push Hook"), (ForgeKind.GitLab, "Merge Request Hook"),
        (ForgeKind.Bitbucket, "repo:push"), (ForgeKind.Bitbucket, "pullrequest:created"),
    ];
}
