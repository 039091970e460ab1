using System.Threading.Channels;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Takes what an executor reports for one job attempt: masks secrets, cuts lines to
/// <see cref="LogLine.MaxTextBytes"/>, numbers them, tells the observer at once, and writes lines and step results to
/// the store in batches from a background pump, off the executor's path. Past the job's log size cap the output is
/// dropped after one line that says so; Cairn's own lines are still kept.</summary>
public sealed class JobReporter : IJobReporter, IAsyncDisposable
{
    /// <summary>The default cap on what one job attempt stores of its output.</summary>
    public const long DefaultMaxLogBytes = 64L << 20;

    /// <summary>How many of the job's last output lines are kept in memory, for <see cref="FailureClassifier"/>.</summary>
    public const int TailLength = 200;

    private const int MaxBatchLines = 500;
    private const long MaxBatchChars = 2L << 20;

    /// <summary>How much text (in characters, with a little for each line) may wait for the store before
    /// <see cref="Log"/> waits for the pump: a step that writes faster than the store takes is then slowed down by its
    /// own pipe, instead of the worker holding its output in memory.</summary>
    private const long MaxQueuedChars = 4L << 20;

    private const int CharsPerLine = 32;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly JobRecord _job;
    private readonly IJobAttemptStore _store;
    private readonly IRunObserver _observer;
    private readonly SecretMasker _masker;
    private readonly long _maxLogBytes;
    private readonly Channel<object> _pending = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    // Everything below is guarded by _gate: a line is masked, numbered, shown and queued in one go, so the store
    // receives lines in the order of their numbers.
    private readonly Lock _gate = new();
    private readonly Queue<(int StepIndex, string Text)> _tail = new(TailLength);
    private readonly Dictionary<(int StepIndex, LogStream Stream), LogLineAssembler> _openLines = [];
    private readonly List<string> _cut = [];
    private long _sequence;
    private long _loggedBytes;
    private bool _truncated;
    private DateTimeOffset _lastAt;

    // The executor's latest waiting reason and whether a write of it is under way: only the latest is written.
    private readonly Guid? _leaseId;
    private readonly Lock _waitingGate = new();
    private (string? Reason, bool Set) _waiting;
    private Task _waitingWrite = Task.CompletedTask;
    private bool _waitingWriting;

    private readonly Lock _roomGate = new();
    private TaskCompletionSource? _room;
    private long _queuedChars;

    /// <param name="maxLogBytes">The cap on the UTF-8 bytes of output this attempt stores (see <see cref="JobWorkerContext.MaxLogBytes"/>).</param>
    /// <param name="leaseId">The lease the attempt runs under: what <see cref="Waiting"/> writes against; null writes nothing.</param>
    public JobReporter(
        JobRecord job, long lastSequence, IJobAttemptStore store, IRunObserver observer, SecretMasker masker, TimeProvider time,
        long maxLogBytes = DefaultMaxLogBytes, Guid? leaseId = null)
    {
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLogBytes);
        _job = job;
        _store = store;
        _observer = observer;
        _masker = masker;
        _maxLogBytes = maxLogBytes;
        _sequence = lastSequence;
        _leaseId = leaseId;
        _pump = Task.Run(() => PumpAsync(time));
        if (masker.Unmasked.Count > 0)
        {
            System(0, time.GetUtcNow(), UnmaskedNote(masker.Unmasked));
        }
    }

    /// <summary>The first write failure of the pump, if any; the worker adds it to the job's recorded detail.</summary>
    public Exception? WriteFailure { get; private set; }

    /// <summary>Masks, cuts, numbers and queues the line. Returns at once unless the store has fallen far behind.</summary>
    public void Log(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_gate)
        {
            _lastAt = line.Timestamp;
            var key = (line.StepIndex, line.Stream);
            if (line.Stream != LogStream.System && (line.Continues || _openLines.ContainsKey(key)))
            {
                if (!_openLines.TryGetValue(key, out var assembler))
                {
                    _openLines[key] = assembler = new LogLineAssembler(_masker, LogLine.MaxTextBytes);
                }

                assembler.Write(line.Text, line.Continues, _cut);
                if (!assembler.IsOpen)
                {
                    _openLines.Remove(key);
                }
            }
            else
            {
                LogLineAssembler.WholeLine(_masker, line.Text, LogLine.MaxTextBytes, _cut);
            }

            foreach (var text in _cut)
            {
                Keep(line.StepIndex, line.Stream, line.Timestamp, text);
            }

            _cut.Clear();
        }

        WaitForRoom();
    }

    /// <summary>The last output lines (at most <see cref="TailLength"/>, oldest first, secrets masked) of one step,
    /// or of every step when <paramref name="stepIndex"/> is null. Cairn's own lines are left out; lines dropped by the
    /// log size cap are not.</summary>
    public IReadOnlyList<string> Tail(int? stepIndex)
    {
        lock (_gate)
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
        EndOpenLines(step.Index);
        _observer.StepFinished(_job, step, outcome);
        Telemetry.CairnMeasurements.StepEnded(outcome.Status, outcome.StartedAt, outcome.FinishedAt);
        _pending.Writer.TryWrite(new StepRecord(_job.Id, step.Index, step.Name, outcome.Status, outcome.ExitCode, outcome.StartedAt, outcome.FinishedAt));
    }

    /// <summary>Stores the reason (secrets masked) as the job's pending reason, off the caller's path: a write under way
    /// is left to end, and then only the latest reason is written.</summary>
    public void Waiting(string? reason)
    {
        if (_leaseId is null)
        {
            return;
        }

        var masked = reason is null ? null : _masker.Mask(reason);
        lock (_waitingGate)
        {
            _waiting = (masked, true);
            if (_waitingWriting)
            {
                return;
            }

            _waitingWriting = true;
            _waitingWrite = Task.Run(WriteWaitingAsync);
        }
    }

    /// <summary>Queues the agent's record (its result and verify output masked) for the store, in order with the log: the
    /// last one is written before the attempt's outcome. Written only under the attempt's lease.</summary>
    public void Agent(Agents.AgentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_leaseId is not null)
        {
            _pending.Writer.TryWrite(report with
            {
                Result = report.Result is null ? null : _masker.Mask(report.Result),
                VerifyFailure = report.VerifyFailure is null ? null : _masker.Mask(report.VerifyFailure),
            });
        }
    }

    /// <summary>Writes everything reported so far and stops the pump.</summary>
    public async ValueTask DisposeAsync()
    {
        EndOpenLines(null);
        _pending.Writer.TryComplete();
        await _pump;
        Task waiting;
        lock (_waitingGate)
        {
            waiting = _waitingWrite;
        }

        await waiting;
    }

    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            string? reason;
            lock (_waitingGate)
            {
                if (!_waiting.Set)
                {
                    _waitingWriting = false;
                    return;
                }

                reason = _waiting.Reason;
                _waiting = (null, false);
            }

            // A lost lease writes nothing (the store compares on it). A failed write is no failure of the job's log: the
            // reason is only shown, and the next one replaces it.
            try
            {
                await _store.SetPendingReasonAsync(_job.Id, _leaseId!.Value, reason, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
            }
        }
    }

    private static string UnmaskedNote(IReadOnlyList<string> names) => names.Count == 1
        ? $"secret '{names[0]}' is shorter than {SecretMasker.MinLength} characters: it is not masked in this log"
        : $"secrets {string.Join(", ", names.Select(n => $"'{n}'"))} are shorter than {SecretMasker.MinLength} characters: they are not masked in this log";

    /// <summary>A line an executor left unfinished (it should not) ends with its step, or with the attempt.</summary>
    private void EndOpenLines(int? stepIndex)
    {
        lock (_gate)
        {
            foreach (var ((index, stream), assembler) in _openLines.Where(o => stepIndex is null || o.Key.StepIndex == stepIndex).ToList())
            {
                assembler.Write("", continues: false, _cut);
                _openLines.Remove((index, stream));
                foreach (var text in _cut)
                {
                    Keep(index, stream, _lastAt, text);
                }

                _cut.Clear();
            }
        }
    }

    /// <summary>Numbers, shows and queues one stored line, unless the log size cap drops it. Called under the gate.</summary>
    private void Keep(int stepIndex, LogStream stream, DateTimeOffset at, string text)
    {
        if (stream != LogStream.System)
        {
            if (_tail.Count == TailLength)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue((stepIndex, text));
            if (_truncated)
            {
                return;
            }
        }

        var bytes = LogText.Utf8Length(text);
        if (stream != LogStream.System && _loggedBytes + bytes > _maxLogBytes)
        {
            _truncated = true;
            text = $"log truncated at {LogText.Size(_maxLogBytes)}: the rest of this job's output was dropped";
            stream = LogStream.System;
            bytes = LogText.Utf8Length(text);
        }

        _loggedBytes += bytes;
        var stored = new StoredLogLine(++_sequence, stepIndex, stream, at, text);
        _observer.Log(_job, stored);
        if (_pending.Writer.TryWrite(stored))
        {
            Interlocked.Add(ref _queuedChars, text.Length + CharsPerLine);
        }
    }

    private void WaitForRoom()
    {
        while (Volatile.Read(ref _queuedChars) > MaxQueuedChars)
        {
            Task room;
            lock (_roomGate)
            {
                if (Volatile.Read(ref _queuedChars) <= MaxQueuedChars)
                {
                    return;
                }

                room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            // Task.Wait lets the thread pool add a thread at once, so the pump is never starved by this wait.
            room.Wait();
        }
    }

    private void MadeRoom(long chars)
    {
        Interlocked.Add(ref _queuedChars, -chars);
        lock (_roomGate)
        {
            _room?.TrySetResult();
            _room = null;
        }
    }

    private async Task PumpAsync(TimeProvider time)
    {
        var lines = new List<StoredLogLine>(MaxBatchLines);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Take whatever has gathered (up to a batch, for at most a flush interval) into one transaction.
            using (var delay = new CancellationTokenSource(FlushInterval, time))
            {
                long chars = 0;
                while (lines.Count < MaxBatchLines && chars < MaxBatchChars && !delay.IsCancellationRequested && reader.TryRead(out var item))
                {
                    if (item is StoredLogLine line)
                    {
                        lines.Add(line);
                        chars += line.Text.Length;
                        continue;
                    }

                    await WriteLinesAsync(lines);
                    await WriteAsync(() => item is Agents.AgentReport agent
                        ? _store.RecordAgentAsync(_job.Id, _leaseId!.Value, _job.Attempt, agent, CancellationToken.None)
                        : _store.SaveStepAsync((StepRecord)item, CancellationToken.None));
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
        Telemetry.CairnMeasurements.LogWritten(batch);
        MadeRoom(batch.Sum(l => (long)l.Text.Length + CharsPerLine));
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
