using System.Collections.Concurrent;
using Cairn.Core.Engine;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

/// <summary>An executor's waiting reason, on the real SQLite store: written off the executor's path, only the latest of
/// those given while a write is under way, and only under the attempt's lease.</summary>
public sealed class JobReporterWaitingTests : IAsyncLifetime
{
    private EngineHarness _engine = null!;
    private JobLease _lease = null!;

    public async ValueTask InitializeAsync()
    {
        _engine = await EngineHarness.CreateAsync();
        var run = await _engine.Store.CreateRunAsync(EngineHarness.Plan("jobs:\n  pod: { steps: [{ run: echo hi }] }\n"), CancellationToken.None);
        await new RunCoordinator(_engine.Store, TimeProvider.System).AdvanceAsync(run.Id, CancellationToken.None);
        _lease = (await _engine.Store.TryLeaseAsync("w/1/1", [], CancellationToken.None))!;
    }

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Waiting_ReturnsWhileTheStoreIsHeld_AndWritesOnlyTheLatestReasonAfterTheOneUnderWay()
    {
        var store = new GatedReasons(_engine.Store);
        var reporter = new JobReporter(_lease.Job, 0, store, NullRunObserver.Instance, SecretMasker.None, TimeProvider.System, leaseId: _lease.LeaseId);

        reporter.Waiting("waiting for a node (1)");
        await Eventually.TrueAsync(() => store.Started == 1, "the first write to start", cancellationToken: TestContext.Current.CancellationToken);
        reporter.Waiting("waiting for a node (2)");
        reporter.Waiting("throttled by quota (cpu 8/8)");
        store.Open.SetResult();
        await reporter.DisposeAsync();

        Assert.Equal(["waiting for a node (1)", "throttled by quota (cpu 8/8)"], store.Written);
        Assert.Equal("throttled by quota (cpu 8/8)", (await _engine.Store.GetJobAsync(_lease.JobId, CancellationToken.None))!.PendingReason);
    }

    [Fact]
    public async Task Waiting_WithoutALease_WritesNothing_AndAFailedWriteIsNoLogFailure()
    {
        var store = new GatedReasons(_engine.Store) { Fail = true };
        store.Open.SetResult();
        var unleased = new JobReporter(_lease.Job, 0, store, NullRunObserver.Instance, SecretMasker.None, TimeProvider.System);
        unleased.Waiting("nobody hears this");
        await unleased.DisposeAsync();
        var leased = new JobReporter(_lease.Job, 0, store, NullRunObserver.Instance, SecretMasker.None, TimeProvider.System, leaseId: _lease.LeaseId);
        leased.Waiting("this write fails");
        await leased.DisposeAsync();

        Assert.Equal(1, store.Started);
        Assert.Null(leased.WriteFailure);
        Assert.Null((await _engine.Store.GetJobAsync(_lease.JobId, CancellationToken.None))!.PendingReason);
    }

    /// <summary>The real store, with pending reason writes held until <see cref="Open"/> and recorded in order.</summary>
    private sealed class GatedReasons(IJobAttemptStore inner) : IJobAttemptStore
    {
        private int _started;

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string?> Written { get; } = new();

        public bool Fail { get; init; }

        public int Started => Volatile.Read(ref _started);

        public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

        public Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken) => inner.SaveStepAsync(step, cancellationToken);

        public Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken) =>
            inner.AppendLogAsync(jobId, lines, cancellationToken);

        public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) => inner.GetLastLogSequenceAsync(jobId, cancellationToken);

        public async Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            await Open.Task;
            if (Fail)
            {
                throw new IOException("the database is away");
            }

            Written.Enqueue(reason);
            return await inner.SetPendingReasonAsync(jobId, leaseId, reason, cancellationToken);
        }
    }
}
