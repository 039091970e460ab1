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
}
