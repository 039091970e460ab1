using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Leases found by id and by owner, as a server answers its workers over HTTP.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Lease_IsFoundByIdWhileItRuns_AndAsEndedAfterwards_WithItsAttempt()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);

        var running = await scope.Store.GetLeaseAsync(lease!.LeaseId, Token);
        Assert.Equal((jobId, lease.RunId, "w1/abc/1", 1, true), (running!.JobId, running.RunId, running.Owner, running.Attempt, running.Running));
        Assert.Equal(lease.ExpiresAt, running.ExpiresAt);
        Assert.Equal(lease.LeaseId, (await scope.Store.FindLeaseOfOwnerAsync("w1/abc/1", Token))!.LeaseId);
        Assert.Null(await scope.Store.FindLeaseOfOwnerAsync("w1/abc/2", Token));
        Assert.Null(await scope.Store.GetAttemptAsync(jobId, 1, Token));

        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));

        var ended = await scope.Store.GetLeaseAsync(lease.LeaseId, Token);
        Assert.Equal((jobId, "w1/abc/1", 1, false, (DateTimeOffset?)null), (ended!.JobId, ended.Owner, ended.Attempt, ended.Running, ended.ExpiresAt));
        Assert.Null(await scope.Store.FindLeaseOfOwnerAsync("w1/abc/1", Token));
        var attempt = await scope.Store.GetAttemptAsync(jobId, 1, Token);
        Assert.Equal((JobStatus.Succeeded, "w1/abc/1"), (attempt!.Status, attempt.Worker));
        Assert.Null(await scope.Store.GetLeaseAsync(Guid.NewGuid(), Token));
    }

    [Fact]
    public async Task Lease_ReapedAndLeasedAgain_IsEndedUnderItsOldId_AndRunningUnderItsNewOne()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var first = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);
        scope.Time.Advance(LeaseDuration + TimeSpan.FromSeconds(1));
        var expired = Assert.Single(await scope.Store.FindExpiredLeasesAsync(10, Token));
        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(
            expired, new JobCompletion(JobStatus.Failed, null, FailureClass.Infra, "lost", now, now, RetryAt: now), Token));
        var second = await scope.Store.TryLeaseAsync("w2/def/1", [], Token);

        Assert.False((await scope.Store.GetLeaseAsync(first!.LeaseId, Token))!.Running);
        var again = await scope.Store.GetLeaseAsync(second!.LeaseId, Token);
        Assert.Equal(("w2/def/1", 2, true), (again!.Owner, again.Attempt, again.Running));
    }
}
