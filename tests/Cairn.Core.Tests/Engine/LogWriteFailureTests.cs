using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Executors.Fake;

namespace Cairn.Core.Tests.Engine;

public sealed class LogWriteFailureTests
{
    [Fact]
    public async Task LogThatCannotBeStored_DoesNotStopTheJob_AndTheJobSaysSo()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var store = new FullDiskLogStore(engine.Store);
        var coordinator = new RunCoordinator(store, TimeProvider.System);
        var services = new JobWorkerContext(
            engine.Store,
            store,
            coordinator,
            new SingleExecutorResolver(new FakeExecutor()),
            new FixedWorkspaceProvider(engine.Workspace),
            InMemorySecretSource.Empty,
            NullRunObserver.Instance,
            new RetryPolicy(),
            TimeProvider.System);

        var run = await new InProcessRunHost(services, 1)
            .ExecuteAsync(EngineHarness.Plan("jobs:\n  noisy: { steps: [{ run: echo hi }] }\n"), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var job = Assert.Single(await engine.Store.GetJobsAsync(run.Id, TestContext.Current.CancellationToken));
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal("part of its log could not be stored: No space left on device", job.FailureDetail);
    }

    /// <summary>The real store, except that log lines cannot be written, as on a full disk.</summary>
    private sealed class FullDiskLogStore(IRunStore inner) : IRunStore
    {
        public Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken) =>
            throw new IOException("No space left on device");

        public Task<RunRecord> CreateRunAsync(RunPlan plan, CancellationToken cancellationToken) => inner.CreateRunAsync(plan, cancellationToken);

        public Task<RunRecord> CreateFailedRunAsync(
            string pipelineName, TriggerEvent trigger, FailureClass failureClass, IReadOnlyList<string> errors, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.CreateFailedRunAsync(pipelineName, trigger, failureClass, errors, at, cancellationToken);

        public Task<RunRecord?> ApproveRunAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.ApproveRunAsync(runId, at, cancellationToken);

        public Task<RunRecord?> StartNextInGroupAsync(string? repository, string group, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.StartNextInGroupAsync(repository, group, at, cancellationToken);

        public Task<IReadOnlyList<long>> RepairGroupsAsync(DateTimeOffset at, DateTimeOffset stalledBefore, int limit, CancellationToken cancellationToken) =>
            inner.RepairGroupsAsync(at, stalledBefore, limit, cancellationToken);

        public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

        public Task<bool> RequestCancelAsync(long runId, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.RequestCancelAsync(runId, reason, at, cancellationToken);

        public Task<bool> RequestCancelAsync(long runId, RunStatus expected, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.RequestCancelAsync(runId, expected, reason, at, cancellationToken);

        public Task<IReadOnlyList<RunChange>> ReadChangesAsync(long afterId, long? runId, int limit, CancellationToken cancellationToken) =>
            inner.ReadChangesAsync(afterId, runId, limit, cancellationToken);

        public Task WaitForChangesAsync(long afterId, TimeSpan maxWait, CancellationToken cancellationToken) =>
            inner.WaitForChangesAsync(afterId, maxWait, cancellationToken);

        public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) => inner.GetJobsAsync(runId, cancellationToken);

        public Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken) => inner.GetJobAsync(jobId, cancellationToken);

        public Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken) =>
            inner.GetJobStatusesAsync(runId, cancellationToken);

        public Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken) =>
            inner.TryTransitionJobAsync(jobId, from, to, transition, cancellationToken);

        public Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.TryTransitionRunAsync(runId, from, to, at, cancellationToken);

        public Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken) => inner.SaveStepAsync(step, cancellationToken);

        public Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) => inner.GetStepsAsync(jobId, cancellationToken);

        public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) => inner.GetLastLogSequenceAsync(jobId, cancellationToken);

        public Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken) =>
            inner.SetPendingReasonAsync(jobId, leaseId, reason, cancellationToken);

        public Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
            inner.ReadLogAsync(jobId, afterSequence, limit, cancellationToken);

        public Task<IReadOnlyList<StoredLogLine>> ReadStepLogAsync(long jobId, int stepIndex, long afterSequence, int limit, CancellationToken cancellationToken) =>
            inner.ReadStepLogAsync(jobId, stepIndex, afterSequence, limit, cancellationToken);
    }
}
