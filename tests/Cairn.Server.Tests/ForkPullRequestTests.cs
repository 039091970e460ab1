using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;
using Cairn.Server.Services;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>Pull requests from forks: their runs wait for a maintainer (or start, or are not made, as the repository
/// says), are approved or rejected through the API and the audit log keeps who did, and run without secrets.</summary>
public sealed class ForkPullRequestTests : IAsyncLifetime
{
    private const string Secret = "hook-secret";
    private const string Waiting = "a maintainer must approve runs of pull requests from forks (author mallory)";

    private readonly TempDirectory data = new();
    private readonly TempDirectory outputs = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        outputs.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_fork_pull_request_waits_for_approval_then_runs_without_secrets()
    {
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/TOKEN", new { value = "token-value-9d1e" })).StatusCode);
        var (baseSha, headSha) = CommitPullRequest($$"""
            name: ci
            on: { pull_request: { branches: [main] } }
            jobs:
              build:
                steps:
                  - run: touch "{{outputs.Combine("ran")}}-$CAIRN_RUN_ID"
              with-secret:
                secrets: [TOKEN]
                steps:
                  - run: echo has it
            """);

        var run = await OpenAsync("opened", headSha, baseSha);

        Assert.Equal(("waiting", Waiting), (run.Status, run.PendingReason));
        Assert.True(run.Fork);
        Assert.Null(run.StartedAt);
        Assert.All(run.Jobs!, j => Assert.Equal("waiting", j.Status));
        // The run's status and its jobs' are posted one after the other: wait for both.
        var pending = await forge.WaitForAsync(s =>
            s.Any(x => x.Context == "cairn/ci" && x.Description == StatusProjector.WaitingForApproval)
            && s.Any(x => x.Context == "cairn/ci/build" && x.Description == StatusProjector.WaitingForApproval));
        Assert.Equal("pending", pending.Last(x => x.Context == "cairn/ci").State);
        Assert.Contains(pending, x => x.Context == "cairn/ci/build" && x.State == "pending" && x.Description == StatusProjector.WaitingForApproval);
        Assert.All((await server.GetRunAsync(run.Id)).Jobs!, j => Assert.Equal("waiting", j.Status));
        Assert.Empty(Directory.GetFiles(outputs.Path));

        var approved = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/approve", null);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var started = (await approved.Content.ReadFromJsonAsync<RunView>())!;
        Assert.NotEqual("waiting", started.Status);
        Assert.Null(started.PendingReason);
        var ended = await server.WaitForRunAsync(run.Id);
        Assert.Equal("failed", ended.Status);
        Assert.Equal("succeeded", ended.Jobs!.Single(j => j.Name == "build").Status);
        Assert.True(File.Exists(outputs.Combine($"ran-{run.Id}")));
        var withSecret = ended.Jobs!.Single(j => j.Name == "with-secret");
        Assert.Equal(("failed", "config"), (withSecret.Status, withSecret.FailureClass));
        Assert.Equal($"secret 'TOKEN' cannot be read: {ServerSecretSource.ForkRefusal}", withSecret.FailureDetail);
        var audit = await AuditAsync();
        var approval = Assert.Single(audit, e => e.Action == "approve");
        Assert.Equal((run.Id, "octo/app", "admin", (string?)null), (approval.RunId!.Value, approval.Repository!, approval.Actor!, approval.Secret));
        Assert.DoesNotContain(audit, e => e.Action == "read");
        await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "failure"));
    }

    [Fact]
    public async Task A_rejected_fork_run_ends_cancelled_with_the_reason_everywhere_and_only_a_waiting_run_is_approved_or_rejected()
    {
        var (baseSha, headSha) = CommitPullRequest(Pipeline);
        var run = await OpenAsync("opened", headSha, baseSha);

        var rejected = await server.Client.PostAsJsonAsync($"/api/v1/runs/{run.Id}/reject", new { reason = "not a change we want to build" });

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var view = (await rejected.Content.ReadFromJsonAsync<RunView>())!;
        Assert.Equal(("cancelled", "rejected: not a change we want to build", (string?)null), (view.Status, view.CancelReason, view.PendingReason));
        Assert.All(view.Jobs!, j => Assert.Equal(("cancelled", "rejected: not a change we want to build"), (j.Status, j.FailureDetail)));
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "error"));
        Assert.Contains("not a change we want to build", statuses.Last(x => x.Context == "cairn/ci").Description, StringComparison.Ordinal);
        var entry = Assert.Single(await AuditAsync(), e => e.Action == "reject");
        Assert.Equal((run.Id, "admin", "not a change we want to build"), (entry.RunId!.Value, entry.Actor!, entry.Detail!));

        var approveAfter = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/approve", null);
        var rejectAgain = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/reject", null);
        var unknown = await server.Client.PostAsync("/api/v1/runs/999/approve", null);
        var tooLong = await server.Client.PostAsJsonAsync($"/api/v1/runs/{run.Id}/reject", new { reason = new string('x', 501) });

        Assert.Equal(HttpStatusCode.Conflict, approveAfter.StatusCode);
        Assert.Equal("application/problem+json", approveAfter.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"run {run.Id} is not waiting for approval: it is cancelled", await approveAfter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, rejectAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Single(await AuditAsync(), e => e.Action is "approve" or "reject");

        // A rerun is the admin's own request: it runs, fork or not.
        var rerun = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/rerun", null);
        Assert.Equal(HttpStatusCode.Created, rerun.StatusCode);
        var again = (await rerun.Content.ReadFromJsonAsync<RunView>())!;
        Assert.Null(again.PendingReason);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(again.Id)).Status);
    }

    [Fact]
    public async Task New_commits_on_a_fork_pull_request_wait_again_and_approving_the_newest_supersedes_the_older_waiting_run()
    {
        var (baseSha, firstHead) = CommitPullRequest(Pipeline);
        var first = await OpenAsync("opened", firstHead, baseSha);
        var secondHead = repo.Commit(new Dictionary<string, string> { ["change.txt"] = "more" }, branch: "topic");
        repo.PushHeadTo($"refs/pull/{ForkPullRequests.Number}/head");

        var second = await OpenAsync("synchronize", secondHead, baseSha);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(("waiting", Waiting, secondHead), (second.Status, second.PendingReason, second.Sha));
        Assert.Equal("waiting", (await server.GetRunAsync(first.Id)).Status);

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/api/v1/runs/{second.Id}/approve", null)).StatusCode);

        var superseded = await server.GetRunAsync(first.Id);
        Assert.Equal("cancelled", superseded.Status);
        Assert.Equal($"superseded by run #{second.Number}, approved for a newer commit of pull request #7", superseded.CancelReason);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(second.Id)).Status);
    }

    [Fact]
    public async Task The_repository_setting_can_run_fork_pull_requests_at_once_or_ignore_them()
    {
        var (baseSha, headSha) = CommitPullRequest(Pipeline);
        var shown = await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/app");
        Assert.Equal("approve", shown!.ForkPullRequests);

        var toRun = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { forkPullRequests = "run" });
        var run = await OpenAsync("opened", headSha, baseSha);

        Assert.Equal(HttpStatusCode.OK, toRun.StatusCode);
        Assert.Equal(("run", false), ((await toRun.Content.ReadFromJsonAsync<RepositoryView>())!.ForkPullRequests, shown.AllowForkSecrets));
        Assert.Null(run.PendingReason);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(run.Id)).Status);

        var toIgnore = await server.Client.PatchAsJsonAsync("/api/v1/repos/OCTO/app", new { forkPullRequests = "ignore", allowForkSecrets = true });
        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("pull_request", ForkPullRequests.Payload("synchronize", "octo/app", headSha, baseSha), Secret));
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);

        var ignoring = (await toIgnore.Content.ReadFromJsonAsync<RepositoryView>())!;
        Assert.Equal(("ignore", true), (ignoring.ForkPullRequests, ignoring.AllowForkSecrets));
        Assert.Equal(("ignored", RunStarter.ForksIgnored), (entry.State, entry.Detail));
        Assert.Null(entry.RunId);
        Assert.Single(await server.ListRunsAsync());
    }

    [Fact]
    public async Task A_bad_setting_is_a_400_naming_the_choices_and_a_new_repository_may_set_it()
    {
        var patched = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { forkPullRequests = "always" });
        var empty = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { });
        var missing = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/nothing", new { forkPullRequests = "run" });
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/other", forge = "github", cloneUrl = repo.CloneUrl, forkPullRequests = "ignore" });
        var badAdd = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/third", forge = "github", cloneUrl = repo.CloneUrl, forkPullRequests = "sometimes" });

        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Equal("application/problem+json", patched.Content.Headers.ContentType?.MediaType);
        Assert.Contains("forkPullRequests: 'always' is not one of approve, run or ignore", await patched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("ignore", (await added.Content.ReadFromJsonAsync<RepositoryView>())!.ForkPullRequests);
        Assert.Equal(HttpStatusCode.BadRequest, badAdd.StatusCode);
        Assert.Contains("'sometimes' is not one of approve, run or ignore", await badAdd.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("approve", (await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/app"))!.ForkPullRequests);
    }

    [Fact]
    public async Task A_forks_concurrency_group_cannot_cancel_a_running_run_of_main_in_a_group_of_the_same_name()
    {
        var release = outputs.Combine("release");
        var (baseSha, headSha) = CommitPullRequest($$"""
            name: deploy
            on:
              push: { branches: [main] }
              pull_request: { branches: [main] }
            concurrency: { group: deploy-prod, cancel-in-progress: true }
            jobs:
              deploy:
                steps:
                  - run: if [ "$CAIRN_EVENT" = push ]; then while [ ! -f "{{release}}" ]; do sleep 0.1; done; fi
            """);
        var pushed = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, baseSha), Secret));
        var main = (await server.WaitForEventAsync((await pushed.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value)).RunId!.Value;
        await WaitForJobAsync(main, "deploy", "running");

        var fork = await OpenAsync("opened", headSha, baseSha);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/api/v1/runs/{fork.Id}/approve", null)).StatusCode);
        var forkEnded = await server.WaitForRunAsync(fork.Id);

        Assert.Equal(("succeeded", "fork-pr-7/deploy-prod"), (forkEnded.Status, forkEnded.ConcurrencyGroup));
        var untouched = await server.GetRunAsync(main);
        Assert.Equal(("running", false, "deploy-prod"), (untouched.Status, untouched.CancelRequested, untouched.ConcurrencyGroup));
        await File.WriteAllTextAsync(release, "go", TestContext.Current.CancellationToken);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(main)).Status);
    }

    private const string Pipeline = """
        name: ci
        on: { pull_request: { branches: [main] } }
        jobs:
          build:
            steps: [{ run: echo built }]
        """;

    /// <summary>Commits the pipeline on main and a change on the pull request's branch, kept where GitHub keeps a fork's head.</summary>
    private (string BaseSha, string HeadSha) CommitPullRequest(string pipeline)
    {
        var baseSha = repo.Commit(pipeline);
        var headSha = repo.Commit(new Dictionary<string, string> { ["change.txt"] = "from a fork" }, branch: "topic");
        repo.PushHeadTo($"refs/pull/{ForkPullRequests.Number}/head");
        return (baseSha, headSha);
    }

    /// <summary>Delivers the pull request event and answers the run it made.</summary>
    private async Task<RunView> OpenAsync(string action, string headSha, string baseSha)
    {
        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("pull_request", ForkPullRequests.Payload(action, "octo/app", headSha, baseSha), Secret));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.True(entry.State == "planned", entry.Detail);
        return await server.GetRunAsync(entry.RunId!.Value);
    }

    private async Task<IReadOnlyList<AuditView>> AuditAsync() =>
        (await server.Client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit"))!.Items;

    private Task WaitForJobAsync(long runId, string job, string status) =>
        Eventually.TrueAsync(
            async () => (await server.GetRunAsync(runId)).Jobs!.Any(j => j.Name == job && j.Status == status),
            $"job {job} of run {runId} to become {status}",
            TimeSpan.FromSeconds(60));
}
