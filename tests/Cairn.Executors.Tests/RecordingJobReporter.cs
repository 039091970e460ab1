using Cairn.Core.Execution;
using Cairn.Core.Logs;

namespace Cairn.Executors.Tests;

/// <summary>Keeps everything an executor reports, in order, safe to call from several threads.</summary>
public sealed class RecordingJobReporter : IJobReporter
{
    private readonly Lock _gate = new();
    private readonly List<LogLine> _lines = [];
    private readonly List<string> _events = [];
    private readonly List<(StepSpec Step, StepOutcome Outcome)> _finished = [];
    private readonly List<string?> _waits = [];
    private readonly List<Core.Agents.AgentReport> _agents = [];

    /// <summary>Every agent report, in order.</summary>
    public IReadOnlyList<Core.Agents.AgentReport> Agents
    {
        get
        {
            lock (_gate)
            {
                return [.. _agents];
            }
        }
    }

    public void Agent(Core.Agents.AgentReport report)
    {
        lock (_gate)
        {
            _agents.Add(report);
        }
    }

    /// <summary>Every pending reason reported (null: under way again), in order.</summary>
    public IReadOnlyList<string?> Waits
    {
        get
        {
            lock (_gate)
            {
                return [.. _waits];
            }
        }
    }

    public void Waiting(string? reason)
    {
        lock (_gate)
        {
            _waits.Add(reason);
        }
    }

    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>"started NAME" and "finished NAME STATUS" in the order they were reported.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<(StepSpec Step, StepOutcome Outcome)> Finished
    {
        get
        {
            lock (_gate)
            {
                return [.. _finished];
            }
        }
    }

    public IReadOnlyList<string> Text(int stepIndex, LogStream stream) =>
        Lines.Where(l => l.StepIndex == stepIndex && l.Stream == stream).Select(l => l.Text).ToList();

    public void Log(LogLine line)
    {
        lock (_gate)
        {
            _lines.Add(line);
        }
    }

    public void StepStarted(StepSpec step, DateTimeOffset at)
    {
        lock (_gate)
        {
            _events.Add($"started {step.Name}");
        }
    }

    public void StepFinished(StepSpec step, StepOutcome outcome)
    {
        lock (_gate)
        {
            _events.Add($"finished {step.Name} {outcome.Status}");
            _finished.Add((step, outcome));
        }
    }
}
