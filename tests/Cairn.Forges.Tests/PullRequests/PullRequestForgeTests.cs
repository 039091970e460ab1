using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Forges.Tests.Statuses;

namespace Cairn.Forges.Tests.PullRequests;

/// <summary>Each forge's pull request API, spoken to a loopback server that keeps pull requests as the forge does: a
/// new branch gets a new draft, a branch with an open one gets it updated, and nothing is ever merged.</summary>
public sealed class PullRequestForgeTests : IDisposable
{
    private const string Token = "ghp_publishTokenNeverShown42";

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System, StatusTestKit.Options);

    public void Dispose() => _catalog.Dispose();

    public static TheoryData<ForgeKind, string> Forges => new()
    {
        { ForgeKind.GitHub, "acme/app" },
        { ForgeKind.GitLab, "acme/platform/app" },
        { ForgeKind.Gitea, "acme/app" },
        { ForgeKind.Bitbucket, "acme/app" },
    };

    [Theory]
    [MemberData(nameof(Forges))]
    public async Task ANewBranch_OpensADraft_AndTheSecondPublish_UpdatesIt(ForgeKind kind, string repository)
    {
        await using var forge = await FakePullRequestForge.StartAsync(kind.ToWire());
        var api = _catalog.PullRequests(kind);
        var target = new PullRequestTarget(repository, forge.Url, Token);

        var first = await api.OpenOrUpdateAsync(target, new PullRequestRequest("cairn/12-implement", "main", "Add the widget", "Run: x\n\nOpened by Cairn. Cairn never merges.", true), TestContext.Current.CancellationToken);
        var opened = Assert.IsType<PullRequestResult.Opened>(first);
        Assert.True(opened.Created);
        var open = Assert.Single(forge.Open);
        Assert.Equal(("cairn/12-implement", "main"), (open.Head, open.Base));
        Assert.Equal($"{forge.Url}/web/{open.Number}", opened.Url);
        Assert.Equal(open.Number, opened.Number);
        var created = forge.Calls.Single(c => c.Method == "POST").Json;
        switch (kind)
        {
            case ForgeKind.GitHub:
                Assert.True((bool)created["draft"]!);
                Assert.Equal("Add the widget", (string?)created["title"]);
                break;
            case ForgeKind.Bitbucket:
                Assert.True((bool)created["draft"]!);
                break;
            case ForgeKind.GitLab:
                Assert.Equal("Draft: Add the widget", (string?)created["title"]);
                break;
            case ForgeKind.Gitea:
                Assert.Equal("WIP: Add the widget", (string?)created["title"]);
                break;
        }

        var second = await api.OpenOrUpdateAsync(target, new PullRequestRequest("cairn/12-implement", "main", "Add the widget, again", "body 2", true), TestContext.Current.CancellationToken);
        var updated = Assert.IsType<PullRequestResult.Opened>(second);
        Assert.False(updated.Created);
        Assert.Equal(opened.Number, updated.Number);
        Assert.Single(forge.Open);
        Assert.Contains("Add the widget, again", (string?)forge.Open[0].Fields["title"], StringComparison.Ordinal);
        Assert.Single(forge.Calls, c => c.Method == "POST");
        Assert.Single(forge.Calls, c => c.Method is "PATCH" or "PUT");

        // The token goes as the forge's header, never in a URL; and no call merges.
        Assert.All(forge.Calls, c => Assert.DoesNotContain(Token, c.Target, StringComparison.Ordinal));
        Assert.All(forge.Calls, c => Assert.True(c.Authorization?.Contains(Token, StringComparison.Ordinal) == true || c.PrivateToken == Token));
        Assert.DoesNotContain(forge.Calls, c => c.Target.Contains("merge", StringComparison.Ordinal) && !c.Target.Contains("merge_requests", StringComparison.Ordinal));
        Assert.DoesNotContain(forge.Calls, c => c.Target.Split('?')[0].EndsWith("/merge", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Forges))]
    public async Task AnOpenPullRequestOfTheBranch_MadeElsewhere_IsUpdated_NotDuplicated(ForgeKind kind, string repository)
    {
        await using var forge = await FakePullRequestForge.StartAsync(kind.ToWire());
        forge.Seed("cairn/3-fix", "someone's title");
        forge.Seed("feature/other", "not ours");

        var result = await _catalog.PullRequests(kind).OpenOrUpdateAsync(
            new PullRequestTarget(repository, forge.Url, Token), new PullRequestRequest("cairn/3-fix", "main", "Fix it", "b", true), TestContext.Current.CancellationToken);

        var updated = Assert.IsType<PullRequestResult.Opened>(result);
        Assert.False(updated.Created);
        Assert.Equal(forge.Open.Single(p => p.Head == "cairn/3-fix").Number, updated.Number);
        Assert.DoesNotContain(forge.Calls, c => c.Method == "POST");
        Assert.Equal(2, forge.Open.Count);
    }

    [Fact]
    public async Task AForgeThatIsDown_IsWorthRetrying_AndARefusal_SaysWhy()
    {
        await using var forge = await FakePullRequestForge.StartAsync("github");
        var api = _catalog.PullRequests(ForgeKind.GitHub);
        var request = new PullRequestRequest("cairn/1-a", "main", "t", "b", true);

        forge.FailWith = 503;
        var down = await api.OpenOrUpdateAsync(new PullRequestTarget("acme/app", forge.Url, Token), request, TestContext.Current.CancellationToken);
        Assert.Contains("503", Assert.IsType<PullRequestResult.Retry>(down).Reason, StringComparison.Ordinal);

        forge.FailWith = 401;
        var refused = await api.OpenOrUpdateAsync(new PullRequestTarget("acme/app", forge.Url, Token), request, TestContext.Current.CancellationToken);
        var rejected = Assert.IsType<PullRequestResult.Rejected>(refused);
        Assert.Contains("401: down", rejected.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, rejected.Reason, StringComparison.Ordinal);

        var notARepository = await api.OpenOrUpdateAsync(new PullRequestTarget("../etc", forge.Url, Token), request, TestContext.Current.CancellationToken);
        Assert.IsType<PullRequestResult.Rejected>(notARepository);
    }

    [Fact]
    public async Task AnUnreachableForge_IsWorthRetrying()
    {
        var result = await _catalog.PullRequests(ForgeKind.Gitea).OpenOrUpdateAsync(
            new PullRequestTarget("acme/app", StatusTestKit.RefusingUrl(), Token), new PullRequestRequest("cairn/1-a", "main", "t", "b", true), TestContext.Current.CancellationToken);

        Assert.IsType<PullRequestResult.Retry>(result);
    }
}
