using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Executors.Fake;

namespace Cairn.Core.Tests.Engine;

public sealed class WorkerStopTests
{
    [Fact]
    public async Task StopWhileAClaimWaitsForTheStore_EndsTheWorkerWithoutAnError()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var queue = new StalledQueue();
        var services = new JobWorkerContext(
            queue,
            engine.Store,
            new RunCoordinator(engine.Store, TimeProvider.System),
            new SingleExecutorResolver(new FakeExecutor()),
            new FixedWorkspaceProvider(engine.Workspace),
            InMemorySecretSource.Empty,
            NullRunObserver.Instance,
            new RetryPolicy(),
            TimeProvider.System);
        using var stopping = new CancellationTokenSource();
        var worker = new JobWorker(services, new WorkerOptions("w", [])).RunAsync(stopping.Token, CancellationToken.None);
        await queue.Claiming.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await stopping.CancelAsync();

        await worker.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(worker.IsCompletedSuccessfully);
    }

    /// <summary>A queue whose claim waits for the store until cancelled, as SQLite's write turn does under load.</summary>
    private sealed class StalledQueue : IJobQueue
    {
        public TaskCompletionSource Claiming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
        {
            Claiming.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }

        public Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken) => Task.FromResult(LeaseState.Lost);

        public Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken) => Task.Delay(maxWait, cancellationToken);

        public Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<JobLease>>([]);

        public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) => Task.Delay(maxWait, cancellationToken);
    }
}
