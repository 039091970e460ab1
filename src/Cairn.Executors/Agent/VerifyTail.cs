using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Logs;

namespace Cairn.Executors.Agent;

/// <summary>Passes everything on to the job's reporter (which masks it) and keeps each verify step's last lines, so a
/// failed verify step can be told to the next attempt's agent.</summary>
internal sealed class VerifyTail(IJobReporter inner, int keep = 80) : IJobReporter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Queue<string>> _tails = [];

    public void Log(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Stream != LogStream.System && line.StepIndex > 0)
        {
            lock (_gate)
            {
                if (!_tails.TryGetValue(line.StepIndex, out var tail))
                {
                    _tails[line.StepIndex] = tail = new Queue<string>(keep);
                }

                if (tail.Count == keep)
                {
                    tail.Dequeue();
                }

                tail.Enqueue(line.Text);
            }
        }

        inner.Log(line);
    }

    public void StepStarted(StepSpec step, DateTimeOffset at) => inner.StepStarted(step, at);

    public void StepFinished(StepSpec step, StepOutcome outcome) => inner.StepFinished(step, outcome);

    public void Waiting(string? reason) => inner.Waiting(reason);

    public void Agent(AgentReport report) => inner.Agent(report);

    /// <summary>The step's name and its last lines.</summary>
    public string Of(StepSpec step)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_gate)
        {
            var lines = _tails.TryGetValue(step.Index, out var tail) ? tail.ToList() : [];
            return $"{step.Name}\n{string.Join('\n', lines)}".TrimEnd();
        }
    }
}
