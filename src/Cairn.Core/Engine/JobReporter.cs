using System.Threading.Channels;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Takes what an executor reports for one job attempt: numbers the lines, masks secrets, tells the observer at
/// once, and writes lines and step results to the store in batches from a background pump, off the executor's path.</summary>
public sealed class JobReporter : IJobReporter, IAsyncDisposable
{
    private const int MaxBatch = 500;

    /// <summary>How many of the job's last output lines are kept in memory, for <see cref="FailureClassifier"/>.</summary>
    public const int TailLength = 200;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly JobRecord _job;
    private readonly IRunStore _store;
    private readonly IRunObserver _observer;
    private readonly SecretRedactor _redactor;
    private readonly Channel<object> _pending = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private readonly Queue<(int StepIndex, string Text)> _tail = new(TailLength);
    private long _sequence;

    public JobReporter(JobRecord job, long lastSequence, IRunStore store, IRunObserver observer, SecretRedactor redactor, TimeProvider time)
    {
        _job = job;
        _store = store;
        _observer = observer;
        _redactor = redactor;
        _sequence = lastSequence;
        _pump = Task.Run(() => PumpAsync(time));
    }

    /// <summary>The first write failure of the pump, if any; the worker adds it to the job's recorded detail.</summary>
    public Exception? WriteFailure { get; private set; }

    public void Log(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var stored = new StoredLogLine(Interlocked.Increment(ref _sequence), line.StepIndex, line.Stream, line.Timestamp, _redactor.Redact(line.Text));
        _observer.Log(_job, stored);
        _pending.Writer.TryWrite(stored);
        if (line.Stream != LogStream.System)
        {
            lock (_tail)
            {
                if (_tail.Count == TailLength)
                {
                    _tail.Dequeue();
                }

                _tail.Enqueue((stored.StepIndex, stored.Text));
            }
        }
    }

    /// <summary>The last output lines (at most <see cref="TailLength"/>, oldest first, secrets masked) of one step,
    /// or of every step when <paramref name="stepIndex"/> is null. Cairn's own lines are left out.</summary>
    public IReadOnlyList<string> Tail(int? stepIndex)
    {
        lock (_tail)
        {
            return _tail.Where(l => stepIndex is null || l.StepIndex == stepIndex).Select(l => l.Text).ToList();
        }
    }

    /// <summary>A line of Cairn's own, on the system stream.</summary>
    public void System(int stepIndex, DateTimeOffset at, string text) => Log(new LogLine(stepIndex, LogStream.System, at, text));

    public void StepStarted(StepSpec step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(step);
        _observer.StepStarted(_job, step, at);
        _pending.Writer.TryWrite(new StepRecord(_job.Id, step.Index, step.Name, StepStatus.Running, null, at, null));
    }

    public void StepFinished(StepSpec step, StepOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(outcome);
        _observer.StepFinished(_job, step, outcome);
        _pending.Writer.TryWrite(new StepRecord(_job.Id, step.Index, step.Name, outcome.Status, outcome.ExitCode, outcome.StartedAt, outcome.FinishedAt));
    }

    /// <summary>Writes everything reported so far and stops the pump.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _pump;
    }

    private async Task PumpAsync(TimeProvider time)
    {
        var lines = new List<StoredLogLine>(MaxBatch);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Take whatever has gathered (up to a batch, for at most a flush interval) into one transaction.
            using (var delay = new CancellationTokenSource(FlushInterval, time))
            {
                while (lines.Count < MaxBatch && !delay.IsCancellationRequested && reader.TryRead(out var item))
                {
                    if (item is StoredLogLine line)
                    {
                        lines.Add(line);
                        continue;
                    }

                    await WriteLinesAsync(lines);
                    await WriteAsync(() => _store.SaveStepAsync((StepRecord)item, CancellationToken.None));
                }
            }

            await WriteLinesAsync(lines);
        }
    }

    private async Task WriteLinesAsync(List<StoredLogLine> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var batch = lines.ToArray();
        lines.Clear();
        await WriteAsync(() => _store.AppendLogAsync(_job.Id, batch, CancellationToken.None));
    }

    private async Task WriteAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A full disk must not kill the job's reporting; the first failure is kept and the worker records it.
            WriteFailure ??= ex;
        }
    }
}
