using Cairn.Core.Access;
using Cairn.Core.Triggers;

namespace Cairn.Server.Tests.Gates;

/// <summary>Forge reviews as approvals: a signed GitHub <c>pull_request_review</c> (approved) or Gitea
/// <c>pull_request_approved</c> from a reviewer whose login is an eligible Cairn user approves the open gate of the pull
/// request's run, through the forge-review channel; a reviewer the gate does not name, or no Cairn user at all, does not.</summary>
public sealed class GateReviewTests : IAsyncLifetime
{
    private const string Secret = "hook-secret";
    private const int Number = 7;

    private GateWorld world = null!;

    public async ValueTask InitializeAsync() => world = await GateWorld.StartAsync();

    public async ValueTask DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task A_GitHub_review_approving_the_pull_request_approves_its_gate_and_a_non_eligible_or_unknown_reviewer_does_not()
    {
        var (run, _) = await world.StartGatedRunAsync(["carol"], pullRequest: PullRequest(GateWorld.Repository));

        await SendAsync(Deliveries.GitHub("pull_request_review", GitHubReview("nemo", "approved"), Secret));
        await SendAsync(Deliveries.GitHub("pull_request_review", GitHubReview("ghost", "approved"), Secret));
        await SendAsync(Deliveries.GitHub("pull_request_review", GitHubReview("carol", "commented"), Secret));
        await world.Server.WaitForPlanningAsync();
        Assert.Equal("waiting", (await world.Server.GetRunAsync(run)).Jobs!.Single(j => j.Name == "approve").Status);
        Assert.Contains(await world.AuditAsync(AuditActions.GateApproved), e =>
            e.Actor == "nemo" && e.Outcome == AuditOutcomes.Denied && e.Detail!.StartsWith("channel forge-review", StringComparison.Ordinal));

        await SendAsync(Deliveries.GitHub("pull_request_review", GitHubReview("carol", "approved"), Secret));
        var ended = await world.Server.WaitForRunAsync(run);
        Assert.Equal("succeeded", ended.Status);
        Assert.Equal("approved by carol", ended.Jobs!.Single(j => j.Name == "approve").FailureDetail);
        Assert.Contains(await world.AuditAsync(AuditActions.GateApproved), e =>
            e.Actor == "carol" && e.Outcome == AuditOutcomes.Ok && e.Detail!.StartsWith("channel forge-review; comment: reviewed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Gitea_approval_approves_the_gate_and_one_of_an_older_commit_is_refused()
    {
        await world.Server.AddRepositoryAsync("octo/tea", "gitea", world.CloneUrl, "https://gitea.example.invalid/api/v1", Secret);
        var (run, _) = await world.StartGatedRunAsync(["role:maintainer"], pullRequest: PullRequest("octo/tea"), repository: "octo/tea");
        Assert.True(await world.Service<IMemberStore>().SetMemberAsync("octo/tea", "maya", Role.Maintainer, CancellationToken.None));

        await SendAsync(Deliveries.Gitea("pull_request_approved", GiteaReview("maya", "1111111111111111111111111111111111111111"), Secret));
        await world.Server.WaitForPlanningAsync();
        Assert.Equal("waiting", (await world.Server.GetRunAsync(run)).Jobs!.Single(j => j.Name == "approve").Status);
        Assert.Contains(await world.AuditAsync(AuditActions.GateApproved), e =>
            e.Actor == "maya" && e.Outcome == AuditOutcomes.Denied && e.Detail!.Contains("the change moved on", StringComparison.Ordinal));

        await SendAsync(Deliveries.Gitea("pull_request_approved", GiteaReview("maya", world.Sha), Secret));
        var ended = await world.Server.WaitForRunAsync(run);
        Assert.Equal("succeeded", ended.Status);
        Assert.Equal("approved by maya", ended.Jobs!.Single(j => j.Name == "approve").FailureDetail);
    }

    private static PullRequestInfo PullRequest(string repository) => new(Number, "opened", "main", "feature", repository, false);

    private object GitHubReview(string login, string state) => new
    {
        action = "submitted",
        review = new { id = 80, user = new { login }, body = "reviewed", commit_id = world.Sha, state },
        pull_request = PullRequestBody(GateWorld.Repository, world.Sha),
        repository = new { full_name = GateWorld.Repository },
        sender = new { login },
    };

    private static object GiteaReview(string login, string headSha) => new
    {
        action = "reviewed",
        number = Number,
        commit_id = "",
        pull_request = PullRequestBody("octo/tea", headSha),
        review = new { type = "pull_request_review_approved", content = "fine" },
        repository = new { full_name = "octo/tea" },
        sender = new { login, username = login },
    };

    private static object PullRequestBody(string repository, string headSha) => new
    {
        number = Number,
        title = "a change",
        user = new { login = "tom" },
        head = new { @ref = "feature", sha = headSha, repo = new { full_name = repository } },
        @base = new { @ref = "main", sha = "2222222222222222222222222222222222222222", repo = new { full_name = repository } },
    };

    private async Task SendAsync(HttpRequestMessage delivery)
    {
        var response = await world.Server.Anonymous.SendAsync(delivery);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
