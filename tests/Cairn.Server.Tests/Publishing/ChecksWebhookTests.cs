using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Publishing;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Publishing;

/// <summary>Each forge's commit-state webhook, verified and journaled as ignored ("checks: …"), sets the checks of the
/// pull request a publish job opened for that commit; an unsigned one changes nothing.</summary>
public sealed class ChecksWebhookTests : IAsyncLifetime
{
    private const string Secret = "checks-webhook-secret";
    private const string Head = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    private readonly TempDirectory _data = new();
    private ServerHarness _server = null!;

    public async ValueTask InitializeAsync() => _server = await ServerHarness.StartAsync(_data.Path);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    public static TheoryData<string, string> Forges => new()
    {
        { "gitlab", "acme/platform/app" },
        { "gitea", "acme/app" },
        { "bitbucket", "acme/app" },
    };

    [Theory]
    [MemberData(nameof(Forges))]
    public async Task ACommitStateWebhook_SetsTheChecksOfItsPullRequest(string forge, string repository)
    {
        await _server.AddRepositoryAsync(repository, forge, "file:///nowhere.git", "http://127.0.0.1:9", Secret);
        var store = _server.Services.GetRequiredService<ICairnStore>();
        var run = await store.CreateRunAsync(
            new Core.Planning.RunPlan("agents", new Core.Triggers.TriggerEvent(Core.Triggers.TriggerKind.Manual, repository, "refs/heads/main", Head, new Dictionary<string, string>(), null), []),
            CancellationToken.None);
        await store.RecordPullRequestAsync(
            new PullRequestRecord(run.Id, 7, repository, "cairn/1-implement", 12, "http://forge/pr/12", Head, true, null, null, DateTimeOffset.UtcNow), CancellationToken.None);

        var (running, failed) = forge switch
        {
            "gitlab" => (Deliveries.GitLab("Pipeline Hook", GitLabPipeline(repository, "running"), Secret), Deliveries.GitLab("Pipeline Hook", GitLabPipeline(repository, "failed"), Secret)),
            "gitea" => (Deliveries.Gitea("status", GiteaStatus(repository, "pending"), Secret), Deliveries.Gitea("status", GiteaStatus(repository, "failure"), Secret)),
            _ => (Deliveries.Bitbucket("repo:commit_status_created", BitbucketStatus(repository, "INPROGRESS"), Secret), Deliveries.Bitbucket("repo:commit_status_updated", BitbucketStatus(repository, "FAILED"), Secret)),
        };

        var first = await _server.Anonymous.SendAsync(running, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("PR #12: checks pending", (await store.GetPullRequestsAsync(run.Id, CancellationToken.None))[0].Describe());

        var unsigned = forge switch
        {
            "gitlab" => Deliveries.GitLab("Pipeline Hook", GitLabPipeline(repository, "success"), "wrong secret"),
            "gitea" => Deliveries.Gitea("status", GiteaStatus(repository, "success"), "wrong secret"),
            _ => Deliveries.Bitbucket("repo:commit_status_updated", BitbucketStatus(repository, "SUCCESSFUL"), "wrong secret"),
        };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Anonymous.SendAsync(unsigned, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal("pending", (await store.GetPullRequestsAsync(run.Id, CancellationToken.None))[0].Checks);

        var second = await _server.Anonymous.SendAsync(failed, TestContext.Current.CancellationToken);
        var answer = await second.Content.ReadFromJsonAsync<Webhooks.WebhookAnswer>(TestContext.Current.CancellationToken);
        Assert.StartsWith("checks: failing for 6113728", answer!.Ignored, StringComparison.Ordinal);
        Assert.Equal("PR #12: checks failing", (await store.GetPullRequestsAsync(run.Id, CancellationToken.None))[0].Describe());
        var journaled = await _server.ListEventsAsync();
        Assert.All(journaled, e => Assert.Equal("ignored", e.State));
    }

    private static object GitLabPipeline(string repository, string status) => new
    {
        object_kind = "pipeline",
        object_attributes = new { id = 31, sha = Head, @ref = "cairn/1-implement", status },
        project = new { id = 1, path_with_namespace = repository },
    };

    private static object GiteaStatus(string repository, string state) => new
    {
        sha = Head,
        context = "ci/test",
        state,
        repository = new { full_name = repository },
    };

    private static object BitbucketStatus(string repository, string state) => new
    {
        repository = new { full_name = repository },
        commit_status = new
        {
            name = "Pipeline #7",
            state,
            key = "ci-7",
            links = new { commit = new { href = $"https://api.bitbucket.org/2.0/repositories/{repository}/commit/{Head}" } },
        },
    };
}
