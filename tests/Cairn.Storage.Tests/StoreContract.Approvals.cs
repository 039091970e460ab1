using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Runs that wait for approval, repositories' policy for pull requests from forks, and approvals in the audit log.</summary>
public abstract partial class StoreContract
{
    private const string WaitingReason = "a maintainer must approve runs of pull requests from forks (author mallory)";

    [Fact]
    public async Task CreateRun_WithAPendingReason_IsWaiting_AndTheFeedSaysWhy()
    {
        await using var scope = await OpenAsync();

        var run = await scope.Store.CreateRunAsync(Plan(null, Job("build"), Job("test")) with { PendingReason = WaitingReason, CancelInProgress = true }, Token);

        var stored = await scope.Store.GetRunAsync(run.Id, Token);
        Assert.Equal(run, stored, RunComparer);
        Assert.Equal((RunStatus.Waiting, WaitingReason, true, (DateTimeOffset?)null), (stored!.Status, stored.PendingReason, stored.CancelInProgress, stored.StartedAt));
        Assert.All(await scope.Store.GetJobsAsync(run.Id, Token), j => Assert.Equal(JobStatus.Waiting, j.Status));
        var created = (await scope.Store.ReadChangesAsync(0, run.Id, 10, Token)).Single(c => c.JobId is null);
        Assert.Equal(("waiting", WaitingReason), (created.Status, created.Detail));
        Assert.Equal([run.Id], (await scope.Store.ListRunsAsync(new RunQuery(Status: RunStatus.Waiting), Token)).Select(r => r.Id));
        Assert.Empty(await scope.Store.ListRunsAsync(new RunQuery(Status: RunStatus.Running), Token));
    }

    [Fact]
    public async Task TransitionRun_FromWaiting_IsCompareAndSet_ToRunningOrCancelled_AndForgetsWhyItWaited()
    {
        await using var scope = await OpenAsync();
        var approved = await scope.Store.CreateRunAsync(Plan(null, Job("build")) with { PendingReason = WaitingReason }, Token);
        var rejected = await scope.Store.CreateRunAsync(Plan(null, Job("build")) with { PendingReason = WaitingReason }, Token);
        var at = scope.Time.GetUtcNow().AddMinutes(1);

        Assert.False(await scope.Store.TryTransitionRunAsync(approved.Id, RunStatus.Running, RunStatus.Succeeded, at, Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(approved.Id, RunStatus.Waiting, RunStatus.Running, at, Token));
        Assert.False(await scope.Store.TryTransitionRunAsync(approved.Id, RunStatus.Waiting, RunStatus.Running, at, Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(rejected.Id, RunStatus.Waiting, RunStatus.Cancelled, at, Token));
        Assert.False(await scope.Store.TryTransitionRunAsync(rejected.Id, RunStatus.Waiting, RunStatus.Running, at, Token));

        var running = (await scope.Store.GetRunAsync(approved.Id, Token))!;
        var cancelled = (await scope.Store.GetRunAsync(rejected.Id, Token))!;
        Assert.Equal((RunStatus.Running, null, null), (running.Status, running.PendingReason, running.FinishedAt));
        Assert.Equal((RunStatus.Cancelled, null, at), (cancelled.Status, cancelled.PendingReason, cancelled.FinishedAt));
        var changes = await scope.Store.ReadChangesAsync(0, null, 20, Token);
        Assert.Equal(["waiting", "running"], changes.Where(c => c.RunId == approved.Id && c.JobId is null).Select(c => c.Status));
        Assert.Equal(["waiting", "cancelled"], changes.Where(c => c.RunId == rejected.Id && c.JobId is null).Select(c => c.Status));
    }

    [Theory]
    [InlineData(RunStatus.Waiting, RunStatus.Succeeded)]
    [InlineData(RunStatus.Waiting, RunStatus.Failed)]
    [InlineData(RunStatus.Running, RunStatus.Waiting)]
    [InlineData(RunStatus.Succeeded, RunStatus.Running)]
    [InlineData(RunStatus.Cancelled, RunStatus.Waiting)]
    public async Task TransitionRun_ThatTheTableDoesNotAllow_IsRefused(RunStatus from, RunStatus to)
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));

        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.TryTransitionRunAsync(run.Id, from, to, scope.Time.GetUtcNow(), Token));

        Assert.Equal(RunStatus.Running, (await scope.Store.GetRunAsync(run.Id, Token))!.Status);
    }

    [Fact]
    public async Task RequestCancel_OfAWaitingRun_IsTaken_AndTheExpectedStatusMakesItACompareAndSet()
    {
        await using var scope = await OpenAsync();
        var waiting = await scope.Store.CreateRunAsync(Plan(null, Job("build")) with { PendingReason = WaitingReason }, Token);
        var approved = await scope.Store.CreateRunAsync(Plan(null, Job("build")) with { PendingReason = WaitingReason }, Token);
        var now = scope.Time.GetUtcNow();
        await scope.Store.TryTransitionRunAsync(approved.Id, RunStatus.Waiting, RunStatus.Running, now, Token);

        Assert.False(await scope.Store.RequestCancelAsync(approved.Id, RunStatus.Waiting, "rejected: no", now, Token));
        Assert.True(await scope.Store.RequestCancelAsync(waiting.Id, RunStatus.Waiting, "rejected: no", now, Token));
        Assert.True(await scope.Store.RequestCancelAsync(waiting.Id, "cancelled through the API", now, Token));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.RequestCancelAsync(waiting.Id, RunStatus.Cancelled, "no", now, Token));

        Assert.False((await scope.Store.GetRunAsync(approved.Id, Token))!.CancelRequested);
        var marked = (await scope.Store.GetRunAsync(waiting.Id, Token))!;
        Assert.Equal((RunStatus.Waiting, true, "rejected: no"), (marked.Status, marked.CancelRequested, marked.CancelReason));
        var job = (await scope.Store.GetJobsAsync(waiting.Id, Token))[0];
        Assert.False(await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token));
        Assert.True(await scope.Store.TryTransitionJobAsync(
            job.Id, JobStatus.Waiting, JobStatus.Cancelled, new JobTransition(now, FailureClass.Cancelled, "rejected: no"), Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(waiting.Id, RunStatus.Waiting, RunStatus.Cancelled, now, Token));
        var ended = (await scope.Store.ReadChangesAsync(0, waiting.Id, 10, Token))[^1];
        Assert.Equal((null, "cancelled", "rejected: no"), (ended.JobId, ended.Status, ended.Detail));
    }

    [Fact]
    public async Task Repositories_AskForApprovalOfForkPullRequests_UnlessTold_AndTheSettingsChangeAlone()
    {
        await using var scope = await OpenAsync();
        await scope.Store.AddRepositoryAsync(Repository(scope, "acme/widgets"), Token);
        await scope.Store.AddRepositoryAsync(Repository(scope, "acme/gadgets") with { ForkPullRequests = ForkPullRequestPolicy.Ignore }, Token);

        Assert.Equal(ForkPullRequestPolicy.Approve, (await scope.Store.GetRepositoryAsync("acme/widgets", Token))!.ForkPullRequests);
        Assert.Equal(ForkPullRequestPolicy.Ignore, (await scope.Store.GetRepositoryAsync("acme/gadgets", Token))!.ForkPullRequests);

        var policy = await scope.Store.UpdateRepositoryAsync("ACME/widgets", new RepositorySettingsChange(ForkPullRequests: ForkPullRequestPolicy.Run), Token);
        var secrets = await scope.Store.UpdateRepositoryAsync("acme/widgets", new RepositorySettingsChange(AllowForkSecrets: true), Token);
        var nothing = await scope.Store.UpdateRepositoryAsync("acme/widgets", new RepositorySettingsChange(), Token);

        Assert.Equal((ForkPullRequestPolicy.Run, false), (policy!.ForkPullRequests, policy.AllowForkSecrets));
        Assert.Equal((ForkPullRequestPolicy.Run, true), (secrets!.ForkPullRequests, secrets.AllowForkSecrets));
        Assert.Equal((ForkPullRequestPolicy.Run, true), (nothing!.ForkPullRequests, nothing.AllowForkSecrets));
        Assert.Equal(secrets with { SealedForgeToken = null, SealedWebhookSecret = null }, (await scope.Store.GetRepositoryAsync("acme/widgets", Token))! with { SealedForgeToken = null, SealedWebhookSecret = null });
        Assert.Equal(ForkPullRequestPolicy.Ignore, (await scope.Store.GetRepositoryAsync("acme/gadgets", Token))!.ForkPullRequests);
        Assert.Null(await scope.Store.UpdateRepositoryAsync("acme/nothing", new RepositorySettingsChange(AllowForkSecrets: true), Token));
    }

    [Fact]
    public async Task Audit_KeepsApprovalsOfRuns_WithoutASecret_WithWhoActedAndWhatTheySaid()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();

        var approved = await scope.Store.AppendAuditAsync(new NewAuditEntry(at, 7, null, "octo/app", null, RunActions.Approve, AuditActors.Admin), Token);
        var rejected = await scope.Store.AppendAuditAsync(new NewAuditEntry(at, 8, null, "octo/app", null, RunActions.Reject, AuditActors.Admin, "not ours"), Token);

        Assert.Equal(new AuditEntry(approved.Id, at, 7, null, "octo/app", null, "approve", "admin", null), approved);
        Assert.Equal(new AuditEntry(rejected.Id, at, 8, null, "octo/app", null, "reject", "admin", "not ours"), rejected);
        Assert.Equal([rejected, approved], await scope.Store.ListAuditAsync(null, 10, Token));
    }

    private static RunPlan ForkPlan(int pullRequest) => new(
        "build",
        new TriggerEvent(TriggerKind.PullRequest, "acme/widgets", $"refs/pull/{pullRequest}/head", "abc", new Dictionary<string, string>())
        {
            PullRequest = new PullRequestInfo(pullRequest, "opened", "main", "topic", "mallory/widgets", true, Author: "mallory"),
        },
        [Job("build")]);

    [Fact]
    public async Task CreateRun_OfAForksPullRequest_KeepsItsNumberAndAuthor()
    {
        await using var scope = await OpenAsync();

        var run = await scope.Store.CreateRunAsync(ForkPlan(7) with { PendingReason = WaitingReason }, Token);

        var pull = (await scope.Store.GetRunAsync(run.Id, Token))!.Trigger!.PullRequest!;
        Assert.Equal((7, true, "mallory"), (pull.Number, pull.IsFork, pull.Author));
    }
}
