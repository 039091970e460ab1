using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Executors.Fake;

/// <summary>One job on the fake executor: nothing to prepare; the first step says hello, waits the behaviour's delay
/// and carries the job's ending; the others succeed alongside it (or are skipped after it, as the sequencer halts).</summary>
internal sealed class FakeJobEnvironment(JobSpec job, IJobReporter reporter, FakeJobBehavior behavior, TimeProvider time) : IJobEnvironment
{
    public Task<JobSetup> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(JobSetup.Ready);

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!ReferenceEquals(step, job.Steps[0]))
        {
            return StepExit.Exited(0);
        }

        reporter.Log(new LogLine(step.Index, LogStream.Stdout, time.GetUtcNow(), $"fake: {job.JobName} attempt {job.Attempt}"));
        if (behavior.Delay > TimeSpan.Zero)
        {
            await Task.Delay(behavior.Delay, time, stop);
        }

        if (behavior.Status == JobStatus.Succeeded)
        {
            return StepExit.Exited(0);
        }

        var failureClass = behavior.FailureClass ?? FailureClass.Script;
        return StepExit.Failed(failureClass, behavior.ExitCode, failureClass.ToWire());
    }

    public Task<string?> TearDownAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
