using System.Data.Common;
using System.Threading.Channels;

namespace Cairn.Storage.Portable;

/// <summary>Writes what this store instance appended to the index of log text a moment after it arrives, off the append's
/// path: the index (SQLite's FTS5 trigrams, PostgreSQL's pg_trgm) costs several times what storing the lines does. What
/// other instances appended is theirs to index; a search indexes whatever still waits first, so it never misses a
/// stored line.</summary>
internal sealed class LogIndexer : IAsyncDisposable
{
    private readonly Channel<bool> _appended = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<CancellationToken, Task<long>> _catchUp;
    private readonly TimeProvider _time;
    private readonly Task _indexing;

    /// <summary>Starts indexing; what waited when the store was last closed (or killed) is indexed first.</summary>
    public LogIndexer(Func<CancellationToken, Task<long>> catchUp, TimeProvider time)
    {
        _catchUp = catchUp;
        _time = time;
        _appended.Writer.TryWrite(true);
        _indexing = IndexAsync(_stopping.Token);
    }

    /// <summary>How long appended lines wait before they are indexed, and how long appends must pause first, so that many
    /// go into one transaction.</summary>
    public static TimeSpan Delay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How long appended lines wait at most for the appends to pause before they are indexed.</summary>
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Says that lines were queued for the index; never waits.</summary>
    public void Appended() => _appended.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _indexing;
        _stopping.Dispose();
    }

    private async Task IndexAsync(CancellationToken stopping)
    {
        try
        {
            while (await _appended.Reader.WaitToReadAsync(stopping))
            {
                // While a job writes as fast as it can, let it: its server's time goes to storing the lines, and the
                // index is written when the appends pause (or MaxDelay after they began), many chunks a statement.
                var first = _time.GetUtcNow();
                do
                {
                    _appended.Reader.TryRead(out _);
                    await Task.Delay(Delay, _time, stopping);
                }
                while (_appended.Reader.TryPeek(out _) && _time.GetUtcNow() - first < MaxDelay);

                try
                {
                    await _catchUp(stopping);
                }
                catch (DbException)
                {
                    // Nothing is lost: the chunks still wait, the next append tries again, and a search catches up itself.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The store is being disposed.
        }
    }
}
