using Cairn.Core.Artifacts;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;

namespace Cairn.Core.Execution;

/// <summary>The one step loop every executor uses: prepares the job's environment, runs each step whose <c>if:</c>
/// holds, halts on a cancel, the job's timeout or a step that could not start, reports every step, always tears the
/// environment down, and gives the job's verdict. An executor provides only the <see cref="IJobEnvironment"/>.</summary>
public static class StepSequencer
{
    /// <summary>Runs <paramref name="job"/> in <paramref name="environment"/>. Never throws for anything the job does:
    /// a failing step, a timeout, a cancel and a failed setup are outcomes.</summary>
    public static async Task<JobOutcome> RunAsync(
        JobSpec job, IJobReporter reporter, IJobEnvironment environment, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);

        using var jobTimeout = job.Timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        var run = new SequencedJob(job, reporter, environment, time, jobTimeout, cancellationToken);
        try
        {
            return await run.RunAsync();
        }
        finally
        {
            if (await environment.TearDownAsync(CancellationToken.None) is { } leftover)
            {
                run.System(0, $"warning: {leftover}");
            }
        }
    }

    /// <summary>One job's pass through the loop: what it needs at hand, and its ledger.</summary>
    private sealed class SequencedJob(
        JobSpec job, IJobReporter reporter, IJobEnvironment environment, TimeProvider time,
        CancellationTokenSource jobTimeout, CancellationToken cancellationToken)
    {
        private readonly StepLedger _ledger = new();

        /// <summary>The step the artifacts' and caches' lines are logged under: the first while they are brought in, the
        /// last once the steps have run.</summary>
        private int _filesStep;

        public async Task<JobOutcome> RunAsync()
        {
            var setup = await PrepareAsync();
            if (setup is { IsReady: false })
            {
                System(0, $"error: {setup.Detail}");
                if (!setup.ReportsSteps)
                {
                    return JobOutcome.Failed(setup.FailureClass!.Value, setup.Detail!);
                }

                _ledger.Halt(setup.FailureClass!.Value, setup.Detail!);
            }

            var files = setup is { IsReady: true } ? await BringFilesInAsync() : null;
            foreach (var step in job.Steps)
            {
                var outcome = await NextStepAsync(step);
                _ledger.Record(outcome);
                reporter.StepFinished(step, outcome);
            }

            var verdict = _ledger.Verdict();
            _filesStep = job.Steps.Count > 0 ? job.Steps[^1].Index : 0;
            if (files is null)
            {
                return verdict;
            }

            try
            {
                return await files.KeepAsync(verdict, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return verdict;
            }
        }

        /// <summary>The artifacts of the jobs this one needs and its caches, before its first step; a needed set that
        /// cannot be restored halts the job as <c>infra</c>. Answers the phase that keeps what the job made, or null.</summary>
        private async Task<JobFilesPhase?> BringFilesInAsync()
        {
            if (job.Files is not { IsEmpty: false } jobFiles)
            {
                return null;
            }

            if (environment is not IEnvironmentFiles environmentFiles)
            {
                if (jobFiles.Artifacts is not null || jobFiles.Caches.Count > 0)
                {
                    System(0, "warning: this executor cannot move files in or out of a job: its artifacts and caches are skipped");
                }

                return null;
            }

            var phase = new JobFilesPhase(job, jobFiles, environmentFiles, text => System(_filesStep, text));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout.Token);
            try
            {
                if (await phase.RestoreAsync(stop.Token) is { } failure)
                {
                    System(0, $"error: {failure}");
                    _ledger.Halt(FailureClass.Infra, failure);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The loop says why: the job was cancelled or ran out of time.
            }

            return phase;
        }

        public void System(int stepIndex, string text) =>
            reporter.Log(new LogLine(stepIndex, LogStream.System, time.GetUtcNow(), text));

        /// <summary>The setup's verdict, or null when the job's cancel or timeout cut it short: the loop then says so.</summary>
        private async Task<JobSetup?> PrepareAsync()
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout.Token);
            using var span = StepTrace.Start(CairnTelemetry.Spans.Prepare, job);
            try
            {
                var setup = await environment.PrepareAsync(stop.Token);
                if (setup is { IsReady: false })
                {
                    span.Fail(setup.FailureClass, setup.Detail);
                }

                return setup;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                span.Fail(FailureClass.Cancelled, "the job was stopped while it was being prepared");
                return null;
            }
        }

        private async Task<StepOutcome> NextStepAsync(StepSpec step)
        {
            if (!_ledger.Halted && cancellationToken.IsCancellationRequested)
            {
                _ledger.Cancel();
            }
            else if (!_ledger.Halted && jobTimeout.IsCancellationRequested)
            {
                _ledger.Halt(FailureClass.Timeout, StepLedger.JobTimeoutDetail(job));
            }

            if (_ledger.Halted)
            {
                return StepLedger.Skipped();
            }

            if (StepCondition.ShouldRun(job, step, _ledger.AnyFailed, cancellationToken.IsCancellationRequested, out var invalid))
            {
                return await RunStepAsync(step);
            }

            return invalid is null
                ? StepLedger.Skipped()
                : new StepOutcome(StepStatus.Failed, null, FailureClass.Config, null, null, $"step '{step.Name}' has an invalid condition: {invalid}");
        }

        private async Task<StepOutcome> RunStepAsync(StepSpec step)
        {
            var startedAt = time.GetUtcNow();
            reporter.StepStarted(step, startedAt);
            using var span = StepTrace.Start(CairnTelemetry.Spans.Step, job);
            span?.SetTag(CairnTelemetry.Attributes.Step, step.Name);
            var outcome = await RunStartedStepAsync(step, startedAt);
            span.Conclude(outcome.Status.ToString().ToLowerInvariant(), outcome.FailureClass, outcome.Detail);
            return outcome;
        }

        private async Task<StepOutcome> RunStartedStepAsync(StepSpec step, DateTimeOffset startedAt)
        {

            using var stepTimeout = step.Timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout.Token, stepTimeout.Token);
            StepExit exit;
            try
            {
                exit = await environment.RunStepAsync(step, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                exit = StepExit.Stopped;
            }

            var finishedAt = time.GetUtcNow();
            switch (exit.Kind)
            {
                case StepExitKind.NotStarted:
                    var detail = $"step '{step.Name}' could not start: {exit.Reason}";
                    System(step.Index, detail);
                    _ledger.Halt(FailureClass.Infra, detail);
                    return new StepOutcome(StepStatus.Failed, null, FailureClass.Infra, startedAt, finishedAt, detail);
                case StepExitKind.Failed:
                    var failureClass = exit.FailureClass ?? FailureClass.Script;
                    var reason = $"step '{step.Name}' failed ({exit.Reason})";
                    _ledger.Halt(failureClass, reason, exit.ExitCode);
                    return new StepOutcome(StepStatus.Failed, exit.ExitCode, failureClass, startedAt, finishedAt, reason);
                default:
                    return _ledger.Conclude(job, step, exit.ExitCode, cancellationToken.IsCancellationRequested,
                        jobTimeout.IsCancellationRequested, startedAt, finishedAt);
            }
        }
    }
}
