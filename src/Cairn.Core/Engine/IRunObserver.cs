using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>An in-process follower of what workers do (the console of <c>cairn run</c>, a live stream).
/// Called on the workers' paths: implementations must not block.</summary>
public interface IRunObserver
{
    void JobStarted(JobRecord job);

    void StepStarted(JobRecord job, StepSpec step, DateTimeOffset at);

    void Log(JobRecord job, StoredLogLine line);

    void StepFinished(JobRecord job, StepSpec step, StepOutcome outcome);

    /// <summary>A job's attempt ended. With <paramref name="retryAt"/> set, another attempt follows.</summary>
    void JobFinished(JobRecord job, JobCompletion completion);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static NullRunObserver Instance { get; } = new();

    public void JobStarted(JobRecord job)
    {
    }

    public void StepStarted(JobRecord job, StepSpec step, DateTimeOffset at)
    {
    }

    public void Log(JobRecord job, StoredLogLine line)
    {
    }

    public void StepFinished(JobRecord job, StepSpec step, StepOutcome outcome)
    {
    }

    public void JobFinished(JobRecord job, JobCompletion completion)
    {
    }
}
