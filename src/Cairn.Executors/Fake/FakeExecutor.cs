using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Executors.Fake;

/// <summary>How the fake executor ends a job: the status (and failure class) to report, after how long.</summary>
public sealed record FakeJobBehavior(
    JobStatus Status = JobStatus.Succeeded,
    FailureClass? FailureClass = null,
    int? ExitCode = null,
    TimeSpan Delay = default)
{
    public static FakeJobBehavior Succeed { get; } = new();

    public static FakeJobBehavior Fail(FailureClass failureClass = Core.Runs.FailureClass.Script, int exitCode = 1) =>
        new(JobStatus.Failed, failureClass, exitCode);
}

/// <summary>Completes jobs without starting anything: each job name gets a configured behaviour (default: succeed at
/// once). Reports steps like a real executor, so the engine, storage and benchmarks can run with no processes.</summary>
public sealed class FakeExecutor(TimeProvider time) : IExecutor
{
    private readonly ConcurrentDictionary<string, FakeJobBehavior> _behaviors = new(StringComparer.Ordinal);
    private int _runCount;

    public FakeExecutor()
        : this(TimeProvider.System)
    {
    }

    public string Name => "fake";

    /// <summary>What jobs with no behaviour of their own do.</summary>
    public FakeJobBehavior DefaultBehavior { get; set; } = FakeJobBehavior.Succeed;

    /// <summary>How many times <see cref="RunAsync"/> has been called.</summary>
    public int RunCount => Volatile.Read(ref _runCount);

    /// <summary>Sets what jobs named <paramref name="jobName"/> do from now on.</summary>
    public FakeExecutor On(string jobName, FakeJobBehavior behavior)
    {
        _behaviors[jobName] = behavior;
        return this;
    }

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        Interlocked.Increment(ref _runCount);

        var behavior = _behaviors.GetValueOrDefault(job.JobName, DefaultBehavior);
        var startedAt = time.GetUtcNow();
        var first = job.Steps.Count > 0 ? job.Steps[0] : null;
        if (first is not null)
        {
            reporter.StepStarted(first, startedAt);
            reporter.Log(new LogLine(first.Index, LogStream.Stdout, startedAt, $"fake: {job.JobName} attempt {job.Attempt}"));
        }

        var cancelled = false;
        if (behavior.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(behavior.Delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }
        }

        cancelled |= cancellationToken.IsCancellationRequested;
        var steps = ReportSteps(job, reporter, behavior, cancelled, startedAt);
        if (cancelled)
        {
            return new JobOutcome(JobStatus.Cancelled, null, FailureClass.Cancelled, "job was cancelled", steps);
        }

        return behavior.Status == JobStatus.Succeeded
            ? new JobOutcome(JobStatus.Succeeded, 0, null, null, steps)
            : new JobOutcome(behavior.Status, behavior.ExitCode, behavior.FailureClass ?? FailureClass.Script,
                steps.FirstOrDefault()?.Detail ?? $"job '{job.JobName}' {behavior.Status.ToWire()}", steps);
    }

    /// <summary>The first step carries the job's ending; the rest succeed alongside it or are skipped after it.</summary>
    private List<StepOutcome> ReportSteps(JobSpec job, IJobReporter reporter, FakeJobBehavior behavior, bool cancelled, DateTimeOffset startedAt)
    {
        var finishedAt = time.GetUtcNow();
        var outcomes = new List<StepOutcome>(job.Steps.Count);
        if (job.Steps.Count == 0)
        {
            return outcomes;
        }

        var firstOutcome = (cancelled, behavior.Status) switch
        {
            (true, _) => new StepOutcome(StepStatus.Cancelled, null, FailureClass.Cancelled, startedAt, finishedAt),
            (_, JobStatus.Succeeded) => new StepOutcome(StepStatus.Succeeded, 0, null, startedAt, finishedAt),
            _ => new StepOutcome(StepStatus.Failed, behavior.ExitCode, behavior.FailureClass ?? FailureClass.Script, startedAt, finishedAt,
                $"step '{job.Steps[0].Name}' failed ({(behavior.FailureClass ?? FailureClass.Script).ToWire()})"),
        };

        foreach (var step in job.Steps)
        {
            StepOutcome outcome;
            if (outcomes.Count == 0)
            {
                outcome = firstOutcome;
            }
            else if (firstOutcome.Status == StepStatus.Succeeded)
            {
                reporter.StepStarted(step, finishedAt);
                outcome = firstOutcome;
            }
            else
            {
                outcome = new StepOutcome(StepStatus.Skipped, null, null, null, null);
            }

            reporter.StepFinished(step, outcome);
            outcomes.Add(outcome);
        }

        return outcomes;
    }
}
