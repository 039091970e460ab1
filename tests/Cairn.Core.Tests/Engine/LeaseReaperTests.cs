using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;

namespace Cairn.Core.Tests.Engine;

/// <summary>The reaper on a real SQLite store under a clock the test moves: leases whose worker stopped heartbeating.</summary>
public sealed class LeaseReaperTests : IAsyncDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _time = new();
    private SqliteRunStore? _store;
    private RunCoordinator? _coordinator;

    private SqliteRunStore Store => _store!;

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task SilentLease_IsReclaimedOnlyAfterExpiry_AndRetriedAsInfra_NotBeforeItsRetryTime()
    {
        var (reaper, job) = await QueueOneJobAsync("jobs:\n  build: { steps: [{ run: make }] }\n");
        var first = await Store.TryLeaseAsync("worker-7", [], Token);
        Assert.NotNull(first);

        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await reaper.ReapAsync(Token));
        Assert.Equal(JobStatus.Running, (await Store.GetJobAsync(job.Id, Token))!.Status);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await reaper.ReapAsync(Token));
        var requeued = (await Store.GetJobAsync(job.Id, Token))!;
        Assert.Equal(JobStatus.Queued, requeued.Status);
        Assert.Equal(FailureClass.Infra, requeued.FailureClass);
        Assert.StartsWith("the worker running this job (worker-7) was lost: its lease expired at 2026-01-01T00:00:30", requeued.FailureDetail, StringComparison.Ordinal);

        // Without a retry rule, backoff is 10 s plus up to a fifth of jitter: not leased before, leased after.
        Assert.Null(await Store.TryLeaseAsync("worker-8", [], Token));
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Null(await Store.TryLeaseAsync("worker-8", [], Token));
        _time.Advance(TimeSpan.FromSeconds(2.2));
        var second = await Store.TryLeaseAsync("worker-8", [], Token);
        Assert.NotNull(second);
        Assert.Equal(2, second.Attempt);

        // The first worker, back from the dead, can no longer write anything.
        var late = new JobCompletion(JobStatus.Succeeded, 0, null, null, _time.GetUtcNow(), _time.GetUtcNow());
        Assert.False(await Store.CompleteAsync(first, late, Token));
        Assert.Equal(LeaseState.Lost, await Store.ExtendAsync(first, Token));
    }

    [Fact]
    public async Task SecondExpiry_FailsTheJob_SayingTheWorkerWasLost_AndEndsTheRun()
    {
        var (reaper, job) = await QueueOneJobAsync("jobs:\n  build: { steps: [{ run: make }] }\n");
        await Store.TryLeaseAsync("worker-7", [], Token);
        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        await reaper.ReapAsync(Token);
        _time.Advance(TimeSpan.FromSeconds(13));
        var second = await Store.TryLeaseAsync("worker-9", [], Token);
        Assert.NotNull(second);
        var expiry = second.ExpiresAt;

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await reaper.ReapAsync(Token));

        var failed = (await Store.GetJobAsync(job.Id, Token))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(2, failed.Attempt);
        Assert.Equal(FailureClass.Infra, failed.FailureClass);
        Assert.Equal($"the worker running this job (worker-9) was lost: its lease expired at {expiry.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}", failed.FailureDetail);
        Assert.Equal(RunStatus.Failed, (await Store.GetRunAsync(job.RunId, Token))!.Status);
        var log = await Store.ReadLogAsync(job.Id, 0, 100, Token);
        Assert.Equal(2, log.Count(l => l.Text.Contains("was lost", StringComparison.Ordinal)));
        Assert.Equal([1, 2], log.Select(l => l.Sequence));
    }

    [Fact]
    public async Task HeartbeatingLease_IsNeverReclaimed()
    {
        var (reaper, job) = await QueueOneJobAsync("jobs:\n  build: { steps: [{ run: make }] }\n");
        var lease = (await Store.TryLeaseAsync("worker-7", [], Token))!;

        for (var beat = 0; beat < 5; beat++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(LeaseState.Held, await Store.ExtendAsync(lease, Token));
            Assert.Equal(0, await reaper.ReapAsync(Token));
        }

        Assert.Equal(JobStatus.Running, (await Store.GetJobAsync(job.Id, Token))!.Status);
    }

    [Fact]
    public async Task RetryRule_WithoutInfra_FailsALostJobAtOnce()
    {
        var (reaper, job) = await QueueOneJobAsync("jobs:\n  build: { retry: { max: 3, on: [test] }, steps: [{ run: make }] }\n");
        await Store.TryLeaseAsync("worker-7", [], Token);

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        await reaper.ReapAsync(Token);

        var failed = (await Store.GetJobAsync(job.Id, Token))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("(worker-7) was lost", failed.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoReapers_EndALeaseOnce()
    {
        var (reaper, job) = await QueueOneJobAsync("jobs:\n  build: { steps: [{ run: make }] }\n");
        var other = new LeaseReaper(Store, Store, new RunCoordinator(Store, _time), new RetryPolicy(new Random(2), TimeSpan.FromSeconds(10)), _time);
        await Store.TryLeaseAsync("worker-7", [], Token);
        _time.Advance(Lease + TimeSpan.FromSeconds(1));

        var counts = await Task.WhenAll(reaper.ReapAsync(Token), other.ReapAsync(Token));

        Assert.Equal(1, counts.Sum());
        Assert.Equal(JobStatus.Queued, (await Store.GetJobAsync(job.Id, Token))!.Status);
    }

    [Fact]
    public async Task Each_reclaimed_lease_is_counted_once_as_an_expiration_and_its_requeue_as_an_infra_retry()
    {
        using var metrics = new MetricRecorder();
        var (reaper, _) = await QueueOneJobAsync("jobs:\n  build: { steps: [{ run: make }] }\n");
        await Store.TryLeaseAsync("worker-7", [], Token);
        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        await reaper.ReapAsync(Token);

        Assert.Equal(0, metrics.Sum("cairn_lease_expirations_total"));

        _time.Advance(TimeSpan.FromSeconds(2));
        await reaper.ReapAsync(Token);
        await reaper.ReapAsync(Token);

        Assert.Equal(1, metrics.Sum("cairn_lease_expirations_total"));
        Assert.Equal(1, metrics.Sum("cairn_retries_total", ("class", "infra")));
    }

    private async Task<(LeaseReaper Reaper, JobRecord Job)> QueueOneJobAsync(string yaml)
    {
        _store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = _directory.Combine("reaper.db"), LeaseDuration = Lease }, _time, Token);
        _coordinator = new RunCoordinator(Store, _time);
        var run = await Store.CreateRunAsync(EngineHarness.Plan(yaml), Token);
        await _coordinator.AdvanceAsync(run.Id, Token);
        var job = (await Store.GetJobsAsync(run.Id, Token)).Single();
        Assert.Equal(JobStatus.Queued, job.Status);
        var reaper = new LeaseReaper(Store, Store, _coordinator, new RetryPolicy(new Random(1), TimeSpan.FromSeconds(10)), _time);
        return (reaper, job);
    }
}
