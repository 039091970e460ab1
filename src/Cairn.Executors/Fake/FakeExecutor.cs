using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Executors.Fake;

/// <summary>How the fake executor ends a job: the status (and failure class) to report, after how long. Its first step
/// carries that ending; any status but <see cref="JobStatus.Succeeded"/> fails it.</summary>
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
/// once). Its steps go through <see cref="StepSequencer"/> like a real executor's, so the engine, storage and benchmarks
/// can run with no processes.</summary>
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

    public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        Interlocked.Increment(ref _runCount);

        var behavior = _behaviors.GetValueOrDefault(job.JobName, DefaultBehavior);
        return StepSequencer.RunAsync(job, reporter, new FakeJobEnvironment(job, reporter, behavior, time), time, cancellationToken);
    }
}
