using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Why a leased job waits on its executor (written only under its lease, gone once the job leaves running), and
/// which leases still live.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task PendingReason_IsWrittenUnderTheLease_AndGoneWhenTheJobCompletes()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);

        Assert.True(await scope.Store.SetPendingReasonAsync(jobId, lease!.LeaseId, "waiting for a node: 0/3 nodes are available", Token));
        var waiting = await scope.Store.GetJobAsync(jobId, Token);
        Assert.Equal("waiting for a node: 0/3 nodes are available", waiting!.PendingReason);
        Assert.Equal("waiting for a node: 0/3 nodes are available", (await scope.Store.GetJobsAsync(lease.RunId, Token))[0].PendingReason);
        Assert.False(await scope.Store.SetPendingReasonAsync(jobId, Guid.NewGuid(), "not this lease's", Token));
        Assert.Equal("waiting for a node: 0/3 nodes are available", (await scope.Store.GetJobAsync(jobId, Token))!.PendingReason);

        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));

        Assert.Null((await scope.Store.GetJobAsync(jobId, Token))!.PendingReason);
        Assert.False(await scope.Store.SetPendingReasonAsync(jobId, lease.LeaseId, "too late", Token));
        Assert.Null((await scope.Store.GetJobAsync(jobId, Token))!.PendingReason);
    }

    [Fact]
    public async Task PendingReason_IsGoneWhenTheJobIsRequeued_AndCanBeCleared()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);
        Assert.True(await scope.Store.SetPendingReasonAsync(jobId, lease!.LeaseId, "throttled by quota (cpu 7/8)", Token));
        Assert.True(await scope.Store.SetPendingReasonAsync(jobId, lease.LeaseId, null, Token));
        Assert.Null((await scope.Store.GetJobAsync(jobId, Token))!.PendingReason);
        Assert.True(await scope.Store.SetPendingReasonAsync(jobId, lease.LeaseId, "throttled by quota (cpu 8/8)", Token));

        scope.Time.Advance(LeaseDuration + TimeSpan.FromSeconds(1));
        var expired = Assert.Single(await scope.Store.FindExpiredLeasesAsync(10, Token));
        Assert.Equal("throttled by quota (cpu 8/8)", expired.Job.PendingReason);
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(
            expired, new JobCompletion(JobStatus.Failed, null, FailureClass.Infra, "lost", now, now, RetryAt: now), Token));

        var queued = await scope.Store.GetJobAsync(jobId, Token);
        Assert.Equal(JobStatus.Queued, queued!.Status);
        Assert.Null(queued.PendingReason);
        var again = await scope.Store.TryLeaseAsync("w2/def/1", [], Token);
        Assert.Null(again!.Job.PendingReason);
    }

    [Fact]
    public async Task LiveLeases_AreThoseStillHoldingTheirJob()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(2);
        var first = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);
        var second = await scope.Store.TryLeaseAsync("w1/abc/2", [], Token);
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(first!, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));
        var unknown = Guid.NewGuid();

        var live = await scope.Store.LiveAsync([first!.LeaseId, second!.LeaseId, unknown, second.LeaseId], Token);

        Assert.Equal([second.LeaseId], live);
        Assert.Empty(await scope.Store.LiveAsync([], Token));
    }

    [Fact]
    public async Task LiveLeases_AnswerABatchOfFiveHundred_InOneGo()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var held = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);
        var asked = Enumerable.Range(0, 499).Select(_ => Guid.NewGuid()).Append(held!.LeaseId).ToList();

        Assert.Equal([held.LeaseId], await scope.Store.LiveAsync(asked, Token));
    }
}
