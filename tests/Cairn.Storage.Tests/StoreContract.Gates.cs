using Cairn.Core.Gates;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Approval gates: opening is a compare-and-set on a waiting job without a gate, a person's later decision on the
/// same commit replaces the earlier one, and only a waiting gate's job ends through its gate.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Gate_OpensOnce_OnAWaitingJob_AndKeepsItWaitingWithItsReason()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"), Job("approve"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var opened = scope.Time.GetUtcNow();
        var gate = new GateRecord(jobs[1].Id, run.Id, "acme/widgets", ["team:leads", "carol"], 2, "abc123", "tom", opened, opened.AddHours(72));

        Assert.True(await scope.Store.OpenGateAsync(gate, "waiting for approval by team:leads, carol (0 of 2)", Token));
        Assert.False(await scope.Store.OpenGateAsync(gate, "again", Token));
        Assert.True(await scope.Store.TryTransitionJobAsync(jobs[0].Id, JobStatus.Waiting, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token));
        Assert.False(await scope.Store.OpenGateAsync(gate with { JobId = jobs[0].Id }, "not waiting", Token));

        var job = await scope.Store.GetJobAsync(jobs[1].Id, Token);
        Assert.Equal(JobStatus.Waiting, job!.Status);
        Assert.Equal("waiting for approval by team:leads, carol (0 of 2)", job.PendingReason);
        var kept = await scope.Store.GetGateAsync(jobs[1].Id, Token);
        Assert.Equal(["team:leads", "carol"], kept!.Approvers);
        Assert.Equal((2, "abc123", "tom", run.Id, "acme/widgets"), (kept.Min, kept.Sha, kept.Triggerer, kept.RunId, kept.Repository));
        Assert.Equal(opened.ToUnixTimeMilliseconds(), kept.OpenedAt.ToUnixTimeMilliseconds());
        Assert.Equal(opened.AddHours(72).ToUnixTimeMilliseconds(), kept.Deadline!.Value.ToUnixTimeMilliseconds());
        Assert.Null(await scope.Store.GetGateAsync(jobs[0].Id, Token));
        Assert.Equal([jobs[1].Id], (await scope.Store.GetOpenGatesAsync(Token)).Select(g => g.JobId));

        Assert.True(await scope.Store.SetGateReasonAsync(jobs[1].Id, "waiting for approval by team:leads, carol (1 of 2)", Token));
        Assert.False(await scope.Store.SetGateReasonAsync(jobs[0].Id, "no gate", Token));
        Assert.Equal("waiting for approval by team:leads, carol (1 of 2)", (await scope.Store.GetJobAsync(jobs[1].Id, Token))!.PendingReason);
    }

    [Fact]
    public async Task Approval_OnePerPersonAndCommit_ALaterDecisionReplacesTheEarlier()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("approve"));
        var jobId = (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id;
        var at = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.OpenGateAsync(new GateRecord(jobId, run.Id, "acme/widgets", ["carol"], 1, "abc123", null, at, null), "waiting", Token));

        var first = await scope.Store.AddApprovalAsync(new NewApproval(run.Id, jobId, "carol", ApprovalChannel.Cli, false, "abc123", "not yet", at), Token);
        var second = await scope.Store.AddApprovalAsync(
            new NewApproval(run.Id, jobId, "carol", ApprovalChannel.Dashboard, true, "abc123", null, at.AddSeconds(1)), Token);
        await scope.Store.AddApprovalAsync(new NewApproval(run.Id, jobId, "carol", ApprovalChannel.Api, true, "def456", "newer", at.AddSeconds(2)), Token);
        await scope.Store.AddApprovalAsync(new NewApproval(run.Id, jobId, "dave", ApprovalChannel.ForgeReview, true, null, null, at.AddSeconds(3)), Token);

        Assert.Equal(first.Id, second.Id);
        var approvals = await scope.Store.GetApprovalsAsync(run.Id, Token);
        Assert.Equal(3, approvals.Count);
        Assert.Equal(("carol", ApprovalChannel.Dashboard, true, "abc123", (string?)null), (approvals[0].Person, approvals[0].Channel, approvals[0].Approved, approvals[0].Sha, approvals[0].Comment));
        Assert.Equal(("def456", "newer"), (approvals[1].Sha, approvals[1].Comment));
        Assert.Equal(("dave", ApprovalChannel.ForgeReview, (string?)null), (approvals[2].Person, approvals[2].Channel, approvals[2].Sha));
        Assert.Empty(await scope.Store.GetApprovalsAsync(run.Id + 1, Token));
    }

    [Fact]
    public async Task Gate_EndsStraightFromWaiting_OnlyOnce_AndOnlyWithAGate()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("approve"), Job("plain"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var opened = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.OpenGateAsync(new GateRecord(jobs[0].Id, run.Id, "acme/widgets", ["carol"], 1, null, null, opened, null), "waiting", Token));
        scope.Time.Advance(TimeSpan.FromMinutes(5));
        var at = scope.Time.GetUtcNow();

        Assert.False(await scope.Store.EndGateAsync(jobs[1].Id, JobStatus.Succeeded, new JobTransition(at, null, "no gate"), Token));
        Assert.True(await scope.Store.EndGateAsync(jobs[0].Id, JobStatus.Succeeded, new JobTransition(at, null, "approved by carol"), Token));
        Assert.False(await scope.Store.EndGateAsync(jobs[0].Id, JobStatus.Cancelled, new JobTransition(at, FailureClass.Cancelled, "late"), Token));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.EndGateAsync(jobs[0].Id, JobStatus.Queued, new JobTransition(at), Token));

        var ended = await scope.Store.GetJobAsync(jobs[0].Id, Token);
        Assert.Equal(JobStatus.Succeeded, ended!.Status);
        Assert.Equal("approved by carol", ended.FailureDetail);
        Assert.Null(ended.PendingReason);
        Assert.Equal(opened.ToUnixTimeMilliseconds(), ended.StartedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(at.ToUnixTimeMilliseconds(), ended.FinishedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Empty(await scope.Store.GetOpenGatesAsync(Token));
        Assert.Equal(JobStatus.Waiting, (await scope.Store.GetJobAsync(jobs[1].Id, Token))!.Status);
    }
}
