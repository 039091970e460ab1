using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Execution;

/// <summary>Where an executor sends what happens. No method blocks on I/O: lines are buffered and flushed in batches
/// (<see cref="Log"/> waits only when the store has fallen far behind, to slow a step down instead of filling memory).</summary>
public interface IJobReporter
{
    void Log(LogLine line);

    void StepStarted(StepSpec step, DateTimeOffset at);

    void StepFinished(StepSpec step, StepOutcome outcome);

    /// <summary>The job holds its lease but cannot start yet, and why, for a person (<c>waiting for a node: 0/3 nodes are
    /// available: 3 Insufficient cpu.</c>, <c>throttled by quota (cpu 7/8)</c>); null once it is under way. Shown as the
    /// job's pending reason until the next call; not a log line (say it in the log too when it is news).</summary>
    void Waiting(string? reason)
    {
    }

    /// <summary>What an agent job says of its agent (session, turns, tokens, cost, result): recorded with the attempt,
    /// shown in the API, the CLI and the dashboard, and read by the next attempt to resume the session.</summary>
    void Agent(Agents.AgentReport report)
    {
    }
}
