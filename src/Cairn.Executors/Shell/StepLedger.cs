using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Executors.Shell;

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
    public void Halt(FailureClass failureClass, string detail)
    {
        _firstFailure ??= (null, failureClass, detail);
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
