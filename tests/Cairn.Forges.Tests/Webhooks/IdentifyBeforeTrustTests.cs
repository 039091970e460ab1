using System.Text;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Webhooks;

/// <summary>Identify runs on bodies anyone may send: it finds the repository in one forward pass over the raw bytes,
/// building nothing from them, and agrees with Parse on which repository a verified body names.</summary>
public sealed class IdentifyBeforeTrustTests : IDisposable
{
    private const int FourMiB = 4 * 1024 * 1024;

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    public static TheoryData<string> LargeBodies => ["padding", "tokens", "form", "hugeName"];

    public void Dispose() => _catalog.Dispose();

    [Theory]
    [MemberData(nameof(LargeBodies))]
    public void Identify_OfAFourMiBBody_AllocatesNothingInProportionToIt(string shape)
    {
        var request = LargeDelivery(shape);
        var github = _catalog.Get(ForgeKind.GitHub);
        Outcome(() => github.Identify(request));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = Outcome(() => github.Identify(request));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(shape == "hugeName" ? "'repository.full_name' is not a usable name" : "octo/app", outcome);
        Assert.True(allocated < 64 * 1024, $"Identify allocated {allocated:N0} bytes for a {request.Body.Length:N0}-byte body");
    }

    [Fact]
    public void Identify_FindsTheRepositoryAtItsPlace_NotANameOfTheSameKindDeeperDown()
    {
        var body = """
            {"pull_request": {"head": {"repo": {"full_name": "mallory/fork"}}},
             "sender": {"full_name": "x/y"},
             "repository": {"owner": {"full_name": "Octo"}, "full_name": "octo/app", "list": [{"full_name": "z/z"}]},
             "project": [{"path_with_namespace": "group/other"}]}
            """;

        Assert.Equal("octo/app", _catalog.Get(ForgeKind.GitHub).Identify(Signed(ForgeKind.GitHub, "push", body)).Repository);
        Assert.Equal("octo/app", _catalog.Get(ForgeKind.Bitbucket).Identify(Signed(ForgeKind.Bitbucket, "repo:push", body)).Repository);
        var gitlab = Assert.Throws<WebhookFormatException>(() => _catalog.Get(ForgeKind.GitLab).Identify(Signed(ForgeKind.GitLab, "Push Hook", body)));
        Assert.Contains("project.path_with_namespace", gitlab.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"repository": {"full_name": "octo/app"}, "repository": {"full_name": "octo/other"}}""")]
    [InlineData("""{"repository": {"full_name": "octo/app"}, "repository": null}""")]
    [InlineData("""{"repository": {"full_name": "octo/app", "full_name": "octo/other"}}""")]
    [InlineData("""{"repository": {"full_name": "octo/app", "full\u005fname": "octo/other"}}""")]
    public void Identify_RefusesAPayloadNamingItsRepositoryTwice(string body)
    {
        // A parser keeps the last of two names; a scan could keep the first. Neither is chosen: the body is refused.
        var error = Assert.Throws<WebhookFormatException>(() => _catalog.Get(ForgeKind.GitHub).Identify(Signed(ForgeKind.GitHub, "push", body)));

        Assert.Equal("the payload names 'repository.full_name' more than once", error.Message);
    }

    [Fact]
    public void Identify_OfAFormEncodedDelivery_ReadsItsPayloadField_AsParseDoes()
    {
        var json = Deliveries.Sample("github/push.json").ToJsonString();
        var body = Encoding.UTF8.GetBytes("zen=keep+it+simple&payload=" + Uri.EscapeDataString(json).Replace("%20", "+", StringComparison.Ordinal) + "&x=%zz");
        var request = Deliveries.Signed(ForgeKind.GitHub, "push", body).WithHeader("Content-Type", "application/x-www-form-urlencoded");
        var github = _catalog.Get(ForgeKind.GitHub);

        Assert.Equal("octo-org/hello-world", github.Identify(request).Repository);
        Assert.Equal("octo-org/hello-world", github.Parse(request).Trigger().Repository);
    }

    private static WebhookRequest LargeDelivery(string shape)
    {
        var start = """{"repository": {"full_name": "octo/app"}, "padding": """;
        var body = new StringBuilder(FourMiB + 1024).Append(start);
        switch (shape)
        {
            case "padding":
                body.Append('"').Append('x', FourMiB - 100).Append("\"}");
                break;
            case "tokens":
                body.Append('[').Append(string.Join(',', Enumerable.Repeat("1", FourMiB / 2 - 100))).Append("]}");
                break;
            case "form":
                var json = "{\"repository\": {\"full_name\": \"octo/app\"}, \"padding\": \"" + new string('x', FourMiB / 3) + "\"}";
                return Deliveries.Signed(ForgeKind.GitHub, "push", Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json)))
                    .WithHeader("Content-Type", "application/x-www-form-urlencoded");
            default:
                body.Clear().Append("""{"repository": {"full_name": """).Append('"').Append('x', FourMiB - 100).Append("\"}}");
                break;
        }

        return Deliveries.Signed(ForgeKind.GitHub, "push", Encoding.UTF8.GetBytes(body.ToString()));
    }

    private static string Outcome(Func<WebhookIdentity> identify)
    {
        try
        {
            return identify().Repository;
        }
        catch (WebhookFormatException ex)
        {
            return ex.Message;
        }
    }

    private static WebhookRequest Signed(ForgeKind forge, string eventName, string body) =>
        Deliveries.Signed(forge, eventName, Encoding.UTF8.GetBytes(body));
}
