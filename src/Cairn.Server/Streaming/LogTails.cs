using Cairn.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Streaming;

/// <summary>The live ends of the job logs this process's streams follow: one reader per job, however many streams follow
/// it. Each reads the job's new lines from the store once, as they are appended, and keeps the newest of them as
/// ready-made events for every follower to copy; a follower further behind reads the store itself.</summary>
internal sealed partial class LogTails(IRunStore runs, IRunFeeds feeds, TimeProvider time, ILogger<LogTails> log)
{
    private readonly Dictionary<long, LogTail> _tails = [];

    /// <summary>Joins the followers of <paramref name="jobId"/>'s log, starting its reader if it is the first; dispose the
    /// result to leave (the last to leave stops the reader).</summary>
    public Following Follow(long jobId)
    {
        lock (_tails)
        {
            if (!_tails.TryGetValue(jobId, out var tail))
            {
                _tails[jobId] = tail = new LogTail(jobId, runs, feeds, time, this);
            }

            tail.Followers++;
            return new Following(this, tail);
        }
    }

    internal void Fault(long jobId, string reason) => LogFault(log, jobId, reason);

    private void Leave(LogTail tail)
    {
        lock (_tails)
        {
            if (--tail.Followers == 0)
            {
                _tails.Remove(tail.JobId);
                tail.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the log of job {JobId} could not be read for its followers, trying again: {Reason}")]
    private static partial void LogFault(ILogger logger, long jobId, string reason);

    /// <summary>One stream's place among a job's followers.</summary>
    internal sealed class Following(LogTails tails, LogTail tail) : IDisposable
    {
        private bool _left;

        public LogTail Tail => tail;

        public void Dispose()
        {
            if (!_left)
            {
                _left = true;
                tails.Leave(tail);
            }
        }
    }
}

/// <summary>One followed job's newest lines, read from the store as they are appended, each already an SSE event.</summary>
internal sealed class LogTail : IDisposable
{
    /// <summary>How many of the newest lines are kept; a follower further behind reads the store.</summary>
    public const int Capacity = 4096;

    private const int Page = 500;

    // What the store cannot tell this process (lines written by another process on the same SQLite file) is found at
    // this interval.
    private static readonly TimeSpan SafetyLook = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AfterFault = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly List<(long Sequence, byte[] Event)> _lines = [];
    private readonly List<LiveFollower> _live = [];
    private readonly IRunStore _runs;
    private readonly IRunFeeds _feeds;
    private readonly TimeProvider _time;
    private readonly LogTails _owner;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _grew = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Every line after _keptAfter and up to _last is in _lines; long.MaxValue until the reader knows where the log ends.
    private long _keptAfter = long.MaxValue;
    private long _last;

    public LogTail(long jobId, IRunStore runs, IRunFeeds feeds, TimeProvider time, LogTails owner)
    {
        JobId = jobId;
        _runs = runs;
        _feeds = feeds;
        _time = time;
        _owner = owner;
        _ = Task.Run(() => ReadAsync(_stop.Token));
    }

    public long JobId { get; }

    /// <summary>Guarded by the owner's lock.</summary>
    public int Followers { get; set; }

    /// <summary>Completes when lines were added after it was read (and when the reader first knows where the log ends).
    /// Take it before looking, so that lines added after the look still wake the follower.</summary>
    public Task Grew
    {
        get
        {
            lock (_gate)
            {
                return _grew.Task;
            }
        }
    }

    /// <summary>The events of the kept lines after <paramref name="cursor"/>, in order, and the last one's sequence; null
    /// when lines after the cursor are no longer (or not yet) kept, and must be read from the store.</summary>
    public (IReadOnlyList<byte[]> Events, long Last)? After(long cursor)
    {
        lock (_gate)
        {
            if (cursor < _keptAfter)
            {
                return null;
            }

            var from = FirstAfter(cursor);
            var events = new byte[_lines.Count - from][];
            for (var i = from; i < _lines.Count; i++)
            {
                events[i - from] = _lines[i].Event;
            }

            return (events, events.Length > 0 ? _lines[^1].Sequence : cursor);
        }
    }

    /// <summary>Hands a stream that has sent every line up to <see cref="LiveFollower.Cursor"/> to the reader, which writes
    /// each new batch to it from now on; false when lines came after its cursor (the stream sends those first, and tries
    /// again) or the reader does not know yet where the log ends.</summary>
    public bool TryAttach(LiveFollower follower)
    {
        ArgumentNullException.ThrowIfNull(follower);
        lock (_gate)
        {
            if (_keptAfter == long.MaxValue || follower.Cursor != _last)
            {
                return false;
            }

            follower.Attached = true;
            _live.Add(follower);
            return true;
        }
    }

    /// <summary>Takes a stream back from the reader, once its last write is on its way; answers the sequence of the last
    /// line written to it.</summary>
    public async Task<long> DetachAsync(LiveFollower follower)
    {
        ArgumentNullException.ThrowIfNull(follower);
        lock (_gate)
        {
            if (follower.Attached)
            {
                follower.Attached = false;
                _live.Remove(follower);
            }
        }

        try
        {
            await follower.Flushing;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection broke; the stream finds out at its next write.
        }

        return follower.Cursor;
    }

    /// <summary>Stops the reader; it lets go of its token when it has stopped.</summary>
    public void Dispose() => _stop.Cancel();

    private async Task ReadAsync(CancellationToken stop)
    {
        try
        {
            await FollowStoreAsync(stop);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task FollowStoreAsync(CancellationToken stop)
    {
        var started = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!started)
                {
                    var last = await _runs.GetLastLogSequenceAsync(JobId, stop);
                    lock (_gate)
                    {
                        _keptAfter = _last = last;
                    }

                    started = true;
                    Wake();
                }

                await _feeds.WaitForLogAsync(JobId, _last, SafetyLook, stop);
                while (await _runs.ReadLogAsync(JobId, _last, Page, stop) is { Count: > 0 } lines)
                {
                    Add(lines);
                    if (lines.Count < Page)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _owner.Fault(JobId, ex.Message);
                await Task.Delay(AfterFault, _time, CancellationToken.None);
            }
        }
    }

    private void Add(IReadOnlyList<StoredLogLine> lines)
    {
        var encoded = lines.Select(l => (l.Sequence, SseWriter.Encode(l.Sequence, null, json => StreamsApi.LineData(json, l)))).ToList();
        lock (_gate)
        {
            _lines.AddRange(encoded);
            _last = lines[^1].Sequence;
            if (_lines.Count > Capacity)
            {
                var dropped = _lines.Count - (Capacity / 2);
                _keptAfter = _lines[dropped - 1].Sequence;
                _lines.RemoveRange(0, dropped);
            }

            WriteToLive(encoded);
        }

        Wake();
    }

    /// <summary>Writes a batch to every attached stream (under the lock, so that none is detached halfway through a write);
    /// a stream whose last write is still on its way is let go, to catch up by itself.</summary>
    private void WriteToLive(List<(long Sequence, byte[] Event)> encoded)
    {
        if (_live.Count == 0)
        {
            return;
        }

        var batch = new byte[encoded.Sum(e => e.Event.Length)];
        var at = 0;
        foreach (var (_, bytes) in encoded)
        {
            bytes.CopyTo(batch, at);
            at += bytes.Length;
        }

        for (var i = _live.Count - 1; i >= 0; i--)
        {
            var follower = _live[i];
            if (!follower.TryWrite(batch, _last))
            {
                follower.Attached = false;
                _live.RemoveAt(i);
                follower.LetGo();
            }
        }
    }

    private void Wake()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            woken = _grew;
            _grew = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }

    private int FirstAfter(long cursor)
    {
        int low = 0, high = _lines.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_lines[middle].Sequence <= cursor)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
