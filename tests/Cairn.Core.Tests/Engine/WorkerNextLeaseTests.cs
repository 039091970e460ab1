using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;

namespace Cairn.Core.Tests.Engine;

public sealed class WorkerNextLeaseTests
{
    private const string ThreeJobs = """
        jobs:
          a: { steps: [{ run: "true" }] }
          b: { steps: [{ run: "true" }] }
          c: { steps: [{ run: "true" }] }
        """;

    [Fact]
    public async Task Worker_LeasesItsNextJobWithTheCompletion_AndAdvancesTheRun()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var queue = new CountingQueue(engine.Store);
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(ThreeJobs), TestContext.Current.CancellationToken);
        using var stopping = new CancellationTokenSource();
        var executor = new SignallingExecutor(count: 3);
        var worker = new JobWorker(Services(engine, queue, coordinator, executor), new WorkerOptions("w", [])).RunAsync(stopping.Token, CancellationToken.None);

        await executor.Ran.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () => (await engine.Store.GetRunAsync(run.Id, CancellationToken.None))!.Status == RunStatus.Succeeded, "the run succeeds", cancellationToken: TestContext.Current.CancellationToken);
        await stopping.CancelAsync();
        await worker.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The first job was claimed alone; each completion carried the next claim, the last finding nothing.
        Assert.Equal((3, 0, 2), (queue.CompletedAndLeased, queue.Completed, queue.LeasedWithCompletion));
        Assert.All(await engine.Store.GetJobsAsync(run.Id, CancellationToken.None), job => Assert.Equal((JobStatus.Succeeded, 1), (job.Status, job.Attempt)));
    }

    [Fact]
    public async Task StoppingWorker_CompletesItsJob_WithoutLeasingAnother()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var queue = new CountingQueue(engine.Store);
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(ThreeJobs), TestContext.Current.CancellationToken);
        using var stopping = new CancellationTokenSource();

        // The stop is asked for while the first job runs.
        var executor = new SignallingExecutor(count: 1, whileRunning: stopping.Cancel);
        var worker = new JobWorker(Services(engine, queue, coordinator, executor), new WorkerOptions("w", [])).RunAsync(stopping.Token, CancellationToken.None);

        await worker.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal((0, 1), (queue.CompletedAndLeased, queue.Completed));
        var statuses = (await engine.Store.GetJobsAsync(run.Id, CancellationToken.None)).Select(j => j.Status).Order().ToList();
        Assert.Equal([JobStatus.Queued, JobStatus.Queued, JobStatus.Succeeded], statuses);
        Assert.Equal(0, (await engine.Store.GetJobsAsync(run.Id, CancellationToken.None)).Count(j => j.Status == JobStatus.Running));
    }

    private static JobWorkerContext Services(EngineHarness engine, IJobQueue queue, RunCoordinator coordinator, IExecutor executor) => new(
        queue,
        engine.Store,
        coordinator,
        new SingleExecutorResolver(executor),
        new FixedWorkspaceProvider(engine.Workspace),
        InMemorySecretSource.Empty,
        NullRunObserver.Instance,
        new RetryPolicy(),
        TimeProvider.System);

    /// <summary>Succeeds every job; signals once <paramref name="count"/> have run, and calls <paramref name="whileRunning"/> in each.</summary>
    private sealed class SignallingExecutor(int count, Action? whileRunning = null) : IExecutor
    {
        private int _runs;

        public TaskCompletionSource Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "signalling";

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
        {
            whileRunning?.Invoke();
            if (Interlocked.Increment(ref _runs) == count)
            {
                Ran.TrySetResult();
            }

            return Task.FromResult(new JobOutcome(JobStatus.Succeeded, 0, null, null, []));
        }
    }

    /// <summary>The real SQLite queue, counting how the worker ends its leases and where its leases come from.</summary>
    private sealed class CountingQueue(SqliteRunStore store) : IJobQueue
    {
        private int _completedAndLeased;
        private int _completed;
        private int _leasedWithCompletion;

        public int CompletedAndLeased => Volatile.Read(ref _completedAndLeased);

        public int Completed => Volatile.Read(ref _completed);

        public int LeasedWithCompletion => Volatile.Read(ref _leasedWithCompletion);

        public Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
            store.TryLeaseAsync(workerId, labels, cancellationToken);

        public async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
            JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _completedAndLeased);
            var ended = await store.CompleteAndLeaseAsync(lease, completion, workerId, labels, cancellationToken);
            if (ended.Next is not null)
            {
                Interlocked.Increment(ref _leasedWithCompletion);
            }

            return ended;
        }

        public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _completed);
            return store.CompleteAsync(lease, completion, cancellationToken);
        }

        public Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken) => store.ExtendAsync(lease, cancellationToken);

        public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) =>
            store.WaitForCancelRequestAsync(runId, maxWait, cancellationToken);

        public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
            store.FindExpiredLeasesAsync(limit, cancellationToken);

        public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) => store.WaitForWorkAsync(maxWait, cancellationToken);
    }
}
