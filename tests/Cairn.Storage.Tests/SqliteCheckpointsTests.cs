using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>A SQLite store copies its write-ahead log back into the database file on a thread of its own: writers only
/// checkpoint by themselves far past SQLite's default, and the thread ends with the store.</summary>
public sealed class SqliteCheckpointsTests
{
    private const int PageSize = 4_096;

    [Fact]
    public async Task TheLog_ReachesTheDatabaseFile_WithoutAWriterCheckpointing()
    {
        await using var scope = await OpenSqliteAsync();
        var store = Assert.IsType<SqliteRunStore>(scope.Store);
        var job = (await scope.QueueJobsAsync(1))[0];
        var before = new FileInfo(scope.Location).Length;

        // Writers checkpoint by themselves only past the fallback: more than this test writes.
        await using (var session = await store.Database.OpenAsync(Token))
        {
            Assert.Equal(SqliteCheckpoints.WriterFallbackPages, Convert.ToInt32(session.Command("PRAGMA wal_autocheckpoint;").ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // About 3,000 pages of log: three times what makes the thread copy, far under what makes a writer do it.
        var written = await AppendAsync(store, job, bytes: 3_000 * PageSize);
        Assert.True(written < SqliteCheckpoints.WriterFallbackPages * PageSize);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (new FileInfo(scope.Location).Length - before < written / 2 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, Token);
        }

        Assert.True(store.Database.Checkpoints.Runs >= 1, "the checkpoint thread never ran");
        Assert.True(new FileInfo(scope.Location).Length - before >= written / 2,
            $"the database file grew by {new FileInfo(scope.Location).Length - before} bytes after {written} bytes of log");

        // Every line is there, read back through the store.
        var last = await store.GetLastLogSequenceAsync(job, Token);
        Assert.Equal(last, (await store.ReadLogAsync(job, last - 10, 100, Token))[^1].Sequence);
    }

    [Fact]
    public async Task ClosingTheStore_EndsTheThread_AndLeavesNoLogFileBehind()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("cairn.db");
        var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = path }, TimeProvider.System, Token);
        var run = await store.CreateRunAsync(Plan(null, Job("build")), Token);
        var job = (await store.GetJobsAsync(run.Id, Token))[0].Id;
        await AppendAsync(store, job, bytes: 2_000 * PageSize);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (store.Database.Checkpoints.Runs == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, Token);
        }

        Assert.True(store.Database.Checkpoints.Runs >= 1, "the checkpoint thread never ran");
        Assert.True(File.Exists(path + "-wal"));

        await store.DisposeAsync();

        // SQLite removes the log and its index when the last connection closes: the thread's own connection included.
        Assert.False(File.Exists(path + "-wal"), "the write-ahead log outlived the store");
        Assert.False(File.Exists(path + "-shm"), "the shared-memory index outlived the store");
        Assert.DoesNotContain(System.Diagnostics.Process.GetCurrentProcess().Threads.Cast<System.Diagnostics.ProcessThread>(), t => ThreadName(t.Id) == "SQLite checkpoi");
    }

    [Fact]
    public async Task ALogFileABurstLeftLarge_IsEmptied_OnceWritesPause()
    {
        await using var scope = await OpenSqliteAsync();
        var store = Assert.IsType<SqliteRunStore>(scope.Store);
        store.Database.Checkpoints.TruncateAbove = 1 << 20;
        var job = (await scope.QueueJobsAsync(1))[0];
        await AppendAsync(store, job, bytes: 1_500 * PageSize);
        var log = new FileInfo(scope.Location + "-wal");
        Assert.True(log.Length > 1 << 20, $"the log file holds {log.Length} bytes");

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (new FileInfo(log.FullName).Length > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50, Token);
        }

        Assert.Equal(0, new FileInfo(log.FullName).Length);
        Assert.True(waited.Elapsed >= SqliteCheckpoints.IdleAfter * 0.9, $"emptied after {waited.Elapsed}, before writes had paused");

        // The store writes and reads on as before, the log starting over.
        await store.AppendLogAsync(job, [new StoredLogLine(await store.GetLastLogSequenceAsync(job, Token) + 1, 0, LogStream.Stdout, DateTimeOffset.UnixEpoch, "after")], Token);
        Assert.Equal("after", (await store.ReadLogAsync(job, await store.GetLastLogSequenceAsync(job, Token) - 1, 10, Token))[0].Text);
    }

    // Lines of about 120 characters in batches of 500, as a busy step's are stored; returns the bytes of text written.
    private static async Task<long> AppendAsync(SqliteRunStore store, long job, long bytes)
    {
        var text = new string('x', 100) + " \u001b[32mok\u001b[0m";
        var at = DateTimeOffset.UnixEpoch;
        long written = 0, sequence = 0;
        while (written < bytes)
        {
            var batch = Enumerable.Range(0, 500).Select(_ => new StoredLogLine(++sequence, 0, LogStream.Stdout, at, text)).ToList();
            await store.AppendLogAsync(job, batch, Token);
            written += batch.Sum(l => (long)l.Text.Length);
        }

        return written;
    }

    // What the kernel calls a thread of this process (the first 15 bytes of its name), or null once it has ended.
    private static string? ThreadName(int id)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{id}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
