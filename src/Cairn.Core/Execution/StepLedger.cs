using Cairn.Core.Pipelines;
using Cairn.Core.Runs;

namespace Cairn.Core.Execution;

/// <summary>What has happened so far in one job: each step's outcome, the first failure, and whether the job must stop.</summary>
internal sealed class StepLedger
{
    private readonly List<StepOutcome> _steps = [];
    private (int? ExitCode, FailureClass Class, string Detail)? _firstFailure;
    private bool _cancelled;

    /// <summary>True once nothing more may run: cancelled, job timed out, or a step could not even start.</summary>
    public bool Halted { get; private set; }

    /// <summary>An earlier step failed: what <c>success()</c> and <c>failure()</c> read.</summary>
    public bool AnyFailed => _firstFailure is not null;

    public void Cancel()
    {
        _cancelled = true;
        Halted = true;
    }

    /// <summary>Stops the job, counting <paramref name="detail"/> as a failure of class <paramref name="failureClass"/>
    /// unless an earlier step already failed.</summary>
    public void Halt(FailureClass failureClass, string detail, int? exitCode = null)
    {
        _firstFailure ??= (exitCode, failureClass, detail);
        Halted = true;
    }

    public void Record(StepOutcome outcome)
    {
        _steps.Add(outcome);
        if (outcome.Status == StepStatus.Failed)
        {
            _firstFailure ??= (outcome.ExitCode, outcome.FailureClass ?? FailureClass.Script, outcome.Detail ?? "step failed");
        }
    }

    /// <summary>How a step that ran ended, recorded as the job's cancellation or timeout where that is what stopped it.</summary>
    /// <param name="exitCode">The step's exit code, or null when it was stopped.</param>
    /// <param name="cancelled">The job was cancelled.</param>
    /// <param name="jobTimedOut">The job's own timeout ran out (else a stopped step timed out on its own).</param>
    public StepOutcome Conclude(
        JobSpec job, StepSpec step, int? exitCode, bool cancelled, bool jobTimedOut, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(step);
        if (exitCode is { } code)
        {
            return code == 0
                ? new StepOutcome(StepStatus.Succeeded, 0, null, startedAt, finishedAt)
                : new StepOutcome(StepStatus.Failed, code, FailureClass.Script, startedAt, finishedAt, $"step '{step.Name}' exited with code {code}");
        }

        if (cancelled)
        {
            Cancel();
            return new StepOutcome(StepStatus.Cancelled, null, FailureClass.Cancelled, startedAt, finishedAt, $"step '{step.Name}' was cancelled");
        }

        if (jobTimedOut)
        {
            var detail = JobTimeoutDetail(job);
            Halt(FailureClass.Timeout, detail);
            return new StepOutcome(StepStatus.Failed, null, FailureClass.Timeout, startedAt, finishedAt, detail);
        }

        return new StepOutcome(StepStatus.Failed, null, FailureClass.Timeout, startedAt, finishedAt,
            $"step '{step.Name}' timed out after {Duration.Format(step.Timeout ?? TimeSpan.Zero)}");
    }

    /// <summary>What a job that ran out of time says.</summary>
    public static string JobTimeoutDetail(JobSpec job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"job timed out after {Duration.Format(job.Timeout ?? TimeSpan.Zero)}";
    }

    /// <summary>A step that did not run.</summary>
    public static StepOutcome Skipped() => new(StepStatus.Skipped, null, null, null, null);

    public JobOutcome Verdict()
    {
        if (_cancelled)
        {
            return new JobOutcome(JobStatus.Cancelled, null, FailureClass.Cancelled, "job was cancelled", _steps);
        }

        return _firstFailure is { } failure
            ? new JobOutcome(JobStatus.Failed, failure.ExitCode, failure.Class, failure.Detail, _steps)
            : new JobOutcome(JobStatus.Succeeded, 0, null, null, _steps);
    }
}
