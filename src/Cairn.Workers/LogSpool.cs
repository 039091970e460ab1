using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Cairn.Core.Logs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>What one lease has for the server, in order: log batches and step reports, kept in memory up to the
/// process's <see cref="SpoolBudget"/>, past it appended to a file of its own (owner-only). Once anything is on disk,
/// newer items go to disk too until it is drained, so the order holds. One sender posts the items one by one, each until
/// delivered, for as long as it takes, or until the lease is lost: then the spool is dropped and its file deleted.
/// <see cref="Add"/> never waits, so a server that is away never blocks a step. Past the disk's bound, log lines are
/// dropped and one system line says how many.</summary>
public sealed class LogSpool : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<SpoolItem> _memory = new();
    private readonly string _file;
    private readonly SpoolBudget _budget;
    private readonly Func<SpoolItem, CancellationToken, Task> _send;
    private readonly TextWriter _log;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private FileStream? _disk;
    private long _readAt;
    private long _diskTaken;
    private long _diskCount;
    private long _memoryTaken;
    private long _droppedLines;
    private (long First, int Step, DateTimeOffset At)? _dropNote;
    private SpoolItem? _noteInFlight;
    private TaskCompletionSource _changed = NewSignal();
    private bool _lost;
    private bool _disposed;

    /// <param name="file">The spool's file, made only when memory is full.</param>
    /// <param name="send">Delivers one item (retrying as it sees fit); throws <see cref="LeaseLostException"/> when the
    /// lease is gone.</param>
    /// <param name="pause">How long the sender waits after a failed delivery before it tries the item again.</param>
    public LogSpool(string file, SpoolBudget budget, Func<SpoolItem, CancellationToken, Task> send, TextWriter? log = null, TimeSpan? pause = null)
    {
        _file = file;
        _budget = budget;
        _send = send;
        _log = log ?? TextWriter.Null;
        _pause = pause ?? TimeSpan.FromSeconds(1);
        _sender = Task.Run(SendAllAsync);
    }

    /// <summary>The lease was found lost: nothing more is sent.</summary>
    public bool Lost
    {
        get
        {
            lock (_gate)
            {
                return _lost;
            }
        }
    }

    /// <summary>Whether part of the spool is on disk now.</summary>
    public bool OnDisk
    {
        get
        {
            lock (_gate)
            {
                return _diskCount > 0;
            }
        }
    }

    /// <summary>Queues the item behind everything before it. Never waits for the server.</summary>
    public void Add(SpoolItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            if (_lost)
            {
                return;
            }

            if (_dropNote is not null && TryKeep(NoteItem()))
            {
                _dropNote = null;
                _droppedLines = 0;
            }

            if (_dropNote is null && TryKeep(item))
            {
                Signal();
                return;
            }

            if (item.Log is { } batch)
            {
                _dropNote ??= (batch.First, batch.Lines.Count > 0 ? batch.Lines[0].Step : 0, batch.Lines.Count > 0 ? batch.Lines[0].At : DateTimeOffset.UtcNow);
                _droppedLines += batch.Lines.Count;
            }

            Signal();
        }
    }

    /// <summary>The lease is known lost: sends nothing more and forgets what it holds.</summary>
    public void Drop()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _lost = true;
            Forget();
            Signal();
            _stop.Cancel();
        }
    }

    /// <summary>Returns once everything added so far is delivered, or the lease is lost.</summary>
    public async Task DrainedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_lost || (_memory.Count == 0 && _diskCount == 0 && _dropNote is null && _noteInFlight is null))
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops sending and forgets the spool: its memory is given back and its file deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stop.Cancel();
        }

        try
        {
            await _sender;
        }
        catch (OperationCanceledException)
        {
        }

        lock (_gate)
        {
            Forget();
        }

        _stop.Dispose();
    }

    private async Task SendAllAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            SpoolItem? next;
            Task changed;
            lock (_gate)
            {
                next = Peek();
                changed = _changed.Task;
            }

            if (next is null)
            {
                await changed.WaitAsync(token);
                continue;
            }

            try
            {
                await _send(next, token);
            }
            catch (LeaseLostException)
            {
                lock (_gate)
                {
                    _lost = true;
                    Forget();
                    Signal();
                }

                return;
            }
            catch (WorkerCallException ex) when (ex is not WorkerTokenRefusedException && ex.Status is { } status
                && (int)status is >= 400 and < 500 && status is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
            {
                // The server will never take this item: keeping it would hold back everything behind it.
                await _log.WriteLineAsync($"cairn worker: the server refused part of a job's log or steps ({ex.Message}); it is left out");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Task.Delay(_pause, token);
                continue;
            }

            lock (_gate)
            {
                Pop();
                Signal();
            }
        }
    }

    private SpoolItem NoteItem()
    {
        var (first, step, at) = _dropNote!.Value;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{_droppedLines} log line{(_droppedLines == 1 ? " was" : "s were")} dropped: the worker could not reach the server and its spool was full");
        return new SpoolItem(new LogBatch(first, [new WireLogLine(step, LogStream.System, at, text)]), null);
    }

    /// <summary>Keeps the item in memory, or on disk; false when both are full. Under the gate.</summary>
    private bool TryKeep(SpoolItem item)
    {
        if (_diskCount == 0 && _budget.TryTakeMemory(item.Size))
        {
            _memoryTaken += item.Size;
            _memory.Enqueue(item);
            return true;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(item, SpoolJson.Default.SpoolItem);
        if (!_budget.TryTakeDisk(bytes.Length + 4))
        {
            return false;
        }

        _diskTaken += bytes.Length + 4;
        _disk ??= OpenFile();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _disk.Seek(0, SeekOrigin.End);
        _disk.Write(length);
        _disk.Write(bytes);
        _disk.Flush();
        _diskCount++;
        return true;
    }

    private FileStream OpenFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(_file, options);
    }

    /// <summary>The oldest item not yet delivered. Under the gate.</summary>
    private SpoolItem? Peek()
    {
        if (_lost)
        {
            return null;
        }

        if (_noteInFlight is not null)
        {
            return _noteInFlight;
        }

        if (_memory.TryPeek(out var item))
        {
            return item;
        }

        if (_diskCount == 0 || _disk is null)
        {
            // All is sent but the note of what was dropped: it goes now, numbered as the first dropped line.
            if (_noteInFlight is null && _dropNote is not null)
            {
                _noteInFlight = NoteItem();
                _dropNote = null;
                _droppedLines = 0;
            }

            return _noteInFlight;
        }

        Span<byte> length = stackalloc byte[4];
        _disk.Seek(_readAt, SeekOrigin.Begin);
        _disk.ReadExactly(length);
        var bytes = new byte[BinaryPrimitives.ReadInt32LittleEndian(length)];
        _disk.ReadExactly(bytes);
        return JsonSerializer.Deserialize(bytes, SpoolJson.Default.SpoolItem);
    }

    /// <summary>Forgets the oldest item, delivered. Under the gate.</summary>
    private void Pop()
    {
        if (_noteInFlight is not null)
        {
            _noteInFlight = null;
            return;
        }

        if (_memory.TryDequeue(out var item))
        {
            _memoryTaken -= item.Size;
            _budget.ReleaseMemory(item.Size);
            return;
        }

        if (_disk is null || _diskCount == 0)
        {
            return;
        }

        _disk.Seek(_readAt, SeekOrigin.Begin);
        Span<byte> length = stackalloc byte[4];
        _disk.ReadExactly(length);
        _readAt += 4 + BinaryPrimitives.ReadInt32LittleEndian(length);
        if (--_diskCount == 0)
        {
            // Drained: the file starts again empty, and new items go to memory again.
            _disk.SetLength(0);
            _readAt = 0;
            _budget.ReleaseDisk(_diskTaken);
            _diskTaken = 0;
        }
    }

    private void Forget()
    {
        _memory.Clear();
        _budget.ReleaseMemory(_memoryTaken);
        _memoryTaken = 0;
        _budget.ReleaseDisk(_diskTaken);
        _diskTaken = 0;
        _diskCount = 0;
        _dropNote = null;
        _noteInFlight = null;
        _disk?.Dispose();
        _disk = null;
        try
        {
            File.Delete(_file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Signal()
    {
        var done = _changed;
        _changed = NewSignal();
        done.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
