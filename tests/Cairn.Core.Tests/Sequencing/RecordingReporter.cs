using Cairn.Core.Execution;
using Cairn.Core.Logs;

namespace Cairn.Core.Tests.Sequencing;

/// <summary>Keeps what the sequencer reports, in order: "started NAME", "finished NAME STATUS", and every line.</summary>
internal sealed class RecordingReporter : IJobReporter
{
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];
    private readonly List<LogLine> _lines = [];

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

    public IReadOnlyList<string> System => Lines.Where(l => l.Stream == LogStream.System).Select(l => l.Text).ToList();

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
        }
    }
}
