using Cairn.Core.Forges;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;
using Cairn.Core.Workers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The metrics' counts of the whole installation (<see cref="IOperationalCounts"/>), and when a leased job was
/// queued.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task OperationalCounts_CountJobsByState_WaitingByReason_WorkersByState_AndTheOutbox()
    {
        await using var scope = await OpenAsync();
        var queuedAt = RecordTime(scope.Time.GetUtcNow());
        await scope.QueueJobsAsync(4);
        await scope.Store.EnqueueStatusAsync("acme/widgets", "aaa", new CommitStatus(CommitState.Pending, "cairn/ci", "queued", null), queuedAt, Token);
        await scope.Store.EnqueueStatusAsync("acme/widgets", "bbb", new CommitStatus(CommitState.Pending, "cairn/ci", "queued", null), queuedAt, Token);
        scope.Time.Advance(TimeSpan.FromSeconds(10));
        var now = scope.Time.GetUtcNow();

        var running = await scope.Store.TryLeaseAsync("build-1/abc/1", [], Token);
        Assert.Equal(queuedAt, running!.QueuedAt);
        Assert.True(await scope.Store.SetPendingReasonAsync(running.JobId, running.LeaseId, "throttled by quota", Token));
        var retried = await scope.Store.TryLeaseAsync("other/abc/1", [], Token);
        Assert.True(await scope.Store.CompleteAsync(
            retried!, new JobCompletion(JobStatus.Failed, 1, FailureClass.Infra, "lost", now, now, RetryAt: now.AddHours(1)), Token));
        await scope.CreateRunAsync(Job("waits-for-needs"));

        var busy = await AddWorkerAsync(scope, "build-1");
        var idle = await AddWorkerAsync(scope, "arm-1");
        await AddWorkerAsync(scope, "old-1");
        await AddWorkerAsync(scope, "held-1");
        await scope.Store.TouchWorkerAsync(busy.Id, now, "1.0", null, Token);
        await scope.Store.TouchWorkerAsync(idle.Id, now, "1.0", null, Token);
        Assert.True(await scope.Store.SetWorkerPausedAsync("held-1", true, Token));

        var counts = await ((IOperationalCounts)scope.Store).CountOperationsAsync(now, now - TimeSpan.FromMinutes(2), Token);

        Assert.Equal(new Dictionary<string, long> { ["queued"] = 3, ["waiting"] = 1, ["running"] = 1 }, counts.Jobs);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["needs"] = 1, ["labels"] = 2, ["concurrency"] = 0, ["quota"] = 1, ["approval"] = 0, ["budget"] = 0, ["repository_limit"] = 0, ["retry"] = 1,
            },
            counts.Waiting);
        Assert.Equal(new Dictionary<string, long> { ["connected"] = 1, ["busy"] = 1, ["paused"] = 1, ["offline"] = 1 }, counts.Workers);
        Assert.Equal((2L, (DateTimeOffset?)queuedAt), (counts.OutboxPending, counts.OutboxOldest));
    }

    [Fact]
    public async Task OperationalCounts_OfAnEmptyStore_AreZeroForEveryState()
    {
        await using var scope = await OpenAsync();
        var now = scope.Time.GetUtcNow();

        var counts = await ((IOperationalCounts)scope.Store).CountOperationsAsync(now, now, Token);

        Assert.All(counts.Jobs.Values.Concat(counts.Waiting.Values).Concat(counts.Workers.Values), n => Assert.Equal(0, n));
        Assert.Equal(OperationalCounts.WaitingReasons, counts.Waiting.Keys);
        Assert.Equal((0L, (DateTimeOffset?)null), (counts.OutboxPending, counts.OutboxOldest));
    }

    [Fact]
    public async Task Lease_OfAJobQueuedAgain_SaysWhenItsBackOffEnded()
    {
        await using var scope = await OpenAsync();
        await scope.QueueJobsAsync(1);
        var first = await scope.Store.TryLeaseAsync("w/abc/1", [], Token);
        var now = scope.Time.GetUtcNow();
        var retryAt = RecordTime(now.AddSeconds(30));
        Assert.True(await scope.Store.CompleteAsync(
            first!, new JobCompletion(JobStatus.Failed, 1, FailureClass.Infra, "lost", now, now, RetryAt: retryAt), Token));
        scope.Time.Advance(TimeSpan.FromSeconds(45));

        var second = await scope.Store.TryLeaseAsync("w/abc/1", [], Token);

        Assert.Equal(retryAt, second!.QueuedAt);
    }

    private static DateTimeOffset RecordTime(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static async Task<WorkerRecord> AddWorkerAsync(StoreScope scope, string name)
    {
        var (_, tokenId, hash) = WorkerTokens.Create();
        return (await scope.Store.AddWorkerAsync(new NewWorker(name, [], tokenId, hash, scope.Time.GetUtcNow(), null), Token))!;
    }
}
