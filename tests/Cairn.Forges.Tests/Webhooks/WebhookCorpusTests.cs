using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

/// <summary>Every real body of the shared webhook corpus through its forge: what Cairn reads from it must be what the
/// corpus's manifest says the body holds. Plane's bodies are not fed (they are no forge's), and that is checked too.</summary>
public sealed class WebhookCorpusTests : IDisposable
{
    private static readonly Dictionary<string, ForgeKind> Forges = new(StringComparer.Ordinal)
    {
        ["github"] = ForgeKind.GitHub,
        ["gitlab"] = ForgeKind.GitLab,
        ["gitea"] = ForgeKind.Gitea,
        ["bitbucket"] = ForgeKind.Bitbucket,
    };

    private readonly ForgeCatalog catalog = ForgeCatalog.Create(TimeProvider.System);

    public void Dispose() => catalog.Dispose();

    [Fact]
    public void EveryForgePayload_IsFed_AndOnlyPlanesAreLeftOut()
    {
        var folder = WebhookCorpus.Folder();
        var entries = WebhookCorpus.Entries();
        var fed = entries.Where(e => Forges.ContainsKey(Forge(e))).Select(FileOf).ToHashSet(StringComparer.Ordinal);
        var payloads = Directory.GetFiles(folder, "*.json").Select(f => Path.GetFileName(f))
            .Where(f => f is not "MANIFEST.json" && !f.EndsWith(".golden.json", StringComparison.Ordinal)).ToList();

        Assert.Equal(payloads.Count, entries.Count);
        var notFed = payloads.Where(f => !fed.Contains(f)).Order(StringComparer.Ordinal).ToList();
        var planes = entries.Where(e => Forge(e) == "plane").Select(FileOf).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(planes);
        Assert.Equal(planes, notFed);
        Assert.True(fed.Count >= 60, $"only {fed.Count} payloads fed");
    }

    public static TheoryData<string> ForgePayloads()
    {
        var data = new TheoryData<string>();
        foreach (var entry in WebhookCorpus.Entries().Where(e => Forges.ContainsKey(Forge(e))))
        {
            data.Add(FileOf(entry));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ForgePayloads))]
    public void Payload_YieldsWhatTheManifestExpects(string file)
    {
        var entry = WebhookCorpus.Entry(file);
        var kind = Forges[Forge(entry)];
        var forge = catalog.Get(kind);
        var header = entry.GetProperty("event_header");
        var request = Deliveries.Signed(kind, header.GetProperty("value").GetString()!, WebhookCorpus.Body(file));
        Assert.Equal(header.GetProperty("value").GetString(), request.Header(header.GetProperty("name").GetString()!));
        Assert.True(forge.Verify(request, Deliveries.Secret));
        var expect = entry.GetProperty("expect");

        if (IsBitbucketDataCenter(entry))
        {
            // Cairn speaks to Bitbucket Cloud; a Data Center body must be turned away, never read as something else.
            Assert.False(Yields(forge, request) is WebhookEvent.Trigger, $"{file}: a Data Center body was taken as a trigger");
            return;
        }

        var repository = Text(expect, "repo_full_name");
        if (repository is not null)
        {
            Assert.Equal(repository, forge.Identify(request).Repository);
        }

        var parsed = forge.Parse(request);
        if (!ShouldBuild(entry))
        {
            Assert.False(parsed is WebhookEvent.Trigger, $"{file}: {Text(entry, "ci_hint")}, but it was a trigger");
            return;
        }

        var trigger = Assert.IsType<WebhookEvent.Trigger>(parsed, exactMatch: true).Event;
        Assert.Equal(repository, trigger.Repository);
        Assert.True(trigger.Sha is not null && Sha(expect) is { } sha && ShaMatches(expect, sha, trigger.Sha), $"{file}: sha {trigger.Sha}, expected {Sha(expect)}");
        if (expect.TryGetProperty("pr_number", out var number))
        {
            CheckPullRequest(file, expect, number.GetInt32(), trigger);
        }
        else
        {
            CheckPush(file, expect, trigger);
        }
    }

    private static void CheckPush(string file, JsonElement expect, TriggerEvent trigger)
    {
        Assert.Equal(TriggerKind.Push, trigger.Kind);
        if (Text(expect, "ref") is { } gitRef)
        {
            Assert.Equal(gitRef, trigger.Ref);
        }

        if (Text(expect, "ref_kind") is { } refKind && Text(expect, "ref_name") is { } refName)
        {
            Assert.Equal(refName, refKind == "tag" ? trigger.Tag : trigger.Branch);
        }

        if (Text(expect, "before") is { } before && !before.All(c => c == '0'))
        {
            Assert.True(trigger.Before == before, $"{file}: before {trigger.Before}, expected {before}");
        }
    }

    private static void CheckPullRequest(string file, JsonElement expect, int number, TriggerEvent trigger)
    {
        Assert.Equal(TriggerKind.PullRequest, trigger.Kind);
        var pull = trigger.PullRequest!;
        Assert.Equal(number, pull.Number);
        Assert.Equal(Text(expect, "head_ref"), pull.HeadBranch);
        Assert.Equal(Text(expect, "base_branch"), pull.BaseBranch);
        Assert.True(Text(expect, "head_repo_full_name") == pull.HeadRepository, $"{file}: head repository {pull.HeadRepository}");
        Assert.Equal(expect.GetProperty("is_fork").GetBoolean(), pull.IsFork);
    }

    private static WebhookEvent? Yields(IForge forge, WebhookRequest request)
    {
        try
        {
            _ = forge.Identify(request);
            return forge.Parse(request);
        }
        catch (WebhookFormatException)
        {
            return null;
        }
    }

    // The manifest's hint says whether a CI server should build; where it leaves the choice open, the rule it names.
    private static bool ShouldBuild(JsonElement entry)
    {
        var hint = Text(entry, "ci_hint") ?? "";
        var eventName = entry.GetProperty("event_header").GetProperty("value").GetString();
        if (eventName is "create" or "delete")
        {
            // A tag's own push event is what builds it; create and delete carry no commit to build.
            return false;
        }

        if (hint.StartsWith("decide by oldrev", StringComparison.Ordinal))
        {
            return Text(entry.GetProperty("expect"), "oldrev") is not null;
        }

        return hint.StartsWith("build", StringComparison.Ordinal);
    }

    private static string? Sha(JsonElement expect) => Text(expect, "head_sha") ?? Text(expect, "after");

    // Bitbucket Cloud gives a pull request's head abbreviated to 12 digits; the manifest says so.
    private static bool ShaMatches(JsonElement expect, string expected, string actual) =>
        expect.TryGetProperty("head_sha_is_abbreviated", out var abbreviated) && abbreviated.ValueKind == JsonValueKind.True
            ? actual.StartsWith(expected, StringComparison.Ordinal) || expected.StartsWith(actual, StringComparison.Ordinal)
            : actual == expected;

    private static bool IsBitbucketDataCenter(JsonElement entry) =>
        Text(entry, "product")?.StartsWith("bitbucket-data", StringComparison.OrdinalIgnoreCase) == true;

    private static string Forge(JsonElement entry) => entry.GetProperty("forge").GetString()!;

    private static string FileOf(JsonElement entry) => entry.GetProperty("file").GetString()!;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
