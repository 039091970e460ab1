using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Sqlite;

/// <summary>Copies the write-ahead log back into the database file on a thread of its own, so that writers do not.</summary>
/// <remarks>
/// Left to itself SQLite checkpoints inside the commit that takes the log past 1,000 pages: that writer copies every page
/// the log holds into the file and waits for two <c>fsync</c>s while it holds this process's turn at writing, and every
/// writer queued behind it waits too. Here writers only note that they wrote; this thread looks at the log's length in
/// the shared-memory index (its header is part of SQLite's documented WAL format) and, once <see cref="Frames"/> pages
/// wait, runs a passive checkpoint, which blocks no reader and no writer.
/// <para>Only a log copied back whole starts over from its beginning, at the next write; while writes never pause the log
/// grows, and a writer checkpoints by itself past <see cref="WriterFallbackPages"/> (see
/// <see cref="SqliteSql.ConnectionPragmas"/>; also what bounds it in a process without this thread). Once writes have
/// paused for <see cref="IdleAfter"/>, a log file left larger than <see cref="TruncateAbove"/> by a burst is emptied, if no
/// reader is using it at that moment.</para>
/// </remarks>
internal sealed class SqliteCheckpoints : IDisposable
{
    /// <summary>How many pages of log wait before this thread copies them: SQLite's own default for a writer.</summary>
    public const int Frames = 1_000;

    /// <summary>How many pages of log make a writer checkpoint by itself (256 MiB in pages of 4 KiB): a writer's checkpoint
    /// waits for the disk inside the turn at writing, which only a log that long should cost.</summary>
    public const int WriterFallbackPages = 65_536;

    /// <summary>How long writes must pause before a large log file is emptied.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(2);

    // Commits that come close together are looked at once.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    // The wal-index header (https://sqlite.org/walformat.html, "The WAL-Index Format"): mxFrame, the last valid frame,
    // at byte 16 of the first copy of the header; nBackfill, the frames already copied back, at byte 96.
    private const int IndexVersion = 3_007_000;
    private const int LastFrameAt = 16;
    private const int CopiedAt = 96;
    private const int HeaderLength = 100;

    private readonly string _location;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _written = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Thread? _thread;
    private int _noted;
    private bool _disposed;

    public SqliteCheckpoints(string location, string connectionString)
    {
        _location = location;
        _connectionString = connectionString;
    }

    /// <summary>How many checkpoints this thread has run, for tests.</summary>
    internal int Runs { get; private set; }

    /// <summary>The size in bytes above which the log file is emptied once writes pause.</summary>
    internal long TruncateAbove { get; set; } = 64L << 20;

    /// <summary>Notes that a writer committed: cheap, and the thread starts at the first one.</summary>
    public void Wrote()
    {
        if (Interlocked.Exchange(ref _noted, 1) == 1)
        {
            return;
        }

        if (_thread is null)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _thread ??= Start();
            }
        }

        try
        {
            _written.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Ends the thread (a checkpoint under way ends first) and closes its connection.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            thread = _thread;
        }

        _stop.Cancel();
        thread?.Join();
        _stop.Dispose();
        _written.Dispose();
    }

    private Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoints" };
        thread.Start();
        return thread;
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        SafeFileHandle? index = null;
        var header = new byte[HeaderLength];
        try
        {
            var idle = true;
            while (true)
            {
                if (!_written.Wait(idle ? Timeout.InfiniteTimeSpan : IdleAfter, _stop.Token))
                {
                    idle = true;
                    if (connection is not null && new FileInfo(_location + "-wal") is { Exists: true, Length: var length } && length > TruncateAbove)
                    {
                        Attempt(ref connection, ref index, c => Checkpoint(c, "TRUNCATE"));
                    }

                    continue;
                }

                idle = false;
                if (_stop.Token.WaitHandle.WaitOne(Gather))
                {
                    return;
                }

                Volatile.Write(ref _noted, 0);
                Attempt(ref connection, ref index, c =>
                {
                    // The connection first: while it is open, the shared-memory file is not removed by others closing theirs.
                    index ??= File.OpenHandle(_location + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    if (Waiting(index, header) >= Frames)
                    {
                        Checkpoint(c, "PASSIVE");
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            index?.Dispose();
            connection?.Dispose();
        }
    }

    // Runs one step on the thread's connection (opened when missing). A failure closes both handles, to be opened again at
    // the next write: writers still checkpoint by themselves past their own limit meanwhile.
    private void Attempt(ref SqliteConnection? connection, ref SafeFileHandle? index, Action<SqliteConnection> step)
    {
        try
        {
            connection ??= SqliteDatabase.Connect(_connectionString);
            step(connection);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            index?.Dispose();
            index = null;
            connection?.Dispose();
            connection = null;
        }
    }

    // PASSIVE copies what no reader still needs and waits for nobody. TRUNCATE waits for readers and writers to be done
    // with the log, so it is tried only when writes have paused, with no busy wait: when a reader is still in the log,
    // SQLite answers busy at once and the file stays as it is until the next pause.
    private void Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = mode == "TRUNCATE"
            ? "PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout = 5000;"
            : "PRAGMA wal_checkpoint(PASSIVE);";
        command.ExecuteNonQuery();
        Runs++;
    }

    // The pages the log holds that are not yet in the file; 0 when the index cannot be read as SQLite documents it (its
    // values are in the machine's byte order).
    private static long Waiting(SafeFileHandle index, byte[] header)
    {
        if (RandomAccess.Read(index, header, 0) < HeaderLength || MemoryMarshal.Read<int>(header) != IndexVersion)
        {
            return 0;
        }

        var last = MemoryMarshal.Read<uint>(header.AsSpan(LastFrameAt));
        var copied = MemoryMarshal.Read<uint>(header.AsSpan(CopiedAt));
        return last > copied ? last - copied : 0;
    }
}
