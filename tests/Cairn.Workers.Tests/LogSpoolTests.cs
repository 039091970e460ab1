using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers.Tests;

public sealed class LogSpoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<SpoolItem> _delivered = [];
    private readonly Lock _gate = new();

    public void Dispose() => _dir.Dispose();

    private static SpoolItem Batch(long first, int lines = 1) =>
        new(new LogBatch(first, [.. Enumerable.Range(0, lines).Select(i => new WireLogLine(0, LogStream.Stdout, DateTimeOffset.UnixEpoch, $"line {first + i} " + new string('x', 40)))]), null);

    private Func<SpoolItem, CancellationToken, Task> Deliver(Func<SpoolItem, Task>? before = null) => async (item, cancellationToken) =>
    {
        if (before is not null)
        {
            await before(item);
        }

        lock (_gate)
        {
            _delivered.Add(item);
        }
    };

    private List<long> DeliveredNumbers()
    {
        lock (_gate)
        {
            return [.. _delivered.Where(i => i.Log is not null).SelectMany(i => Enumerable.Range(0, i.Log!.Lines.Count).Select(n => i.Log.First + n))];
        }
    }

    [Fact]
    public async Task Items_GoToMemory_ThenToDisk_AndAreDeliveredInOrder()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var file = _dir.Combine("lease.spool");
        await using var spool = new LogSpool(file, new SpoolBudget(memoryBytes: 1_000, diskBytes: 1 << 20), Deliver(_ => open.Task));

        for (var i = 1; i <= 40; i++)
        {
            spool.Add(Batch(i));
        }

        spool.Add(new SpoolItem(null, new StepReport(0, "build", StepStatus.Succeeded, 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
        spool.Add(Batch(41));
        Assert.True(spool.OnDisk);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        open.SetResult();
        await spool.DrainedAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(1, 41).Select(n => (long)n), DeliveredNumbers());
        lock (_gate)
        {
            Assert.Equal("build", _delivered[40].Step!.Name);
        }

        Assert.False(spool.OnDisk);
        Assert.Equal(0, new FileInfo(file).Length);

        // Drained, the spool keeps new items in memory again.
        spool.Add(Batch(42));
        Assert.False(spool.OnDisk);
        await spool.DrainedAsync(TestContext.Current.CancellationToken);
        Assert.Equal(42, DeliveredNumbers().Count);
    }

    [Fact]
    public async Task AFailingSender_LosesAndRepeatsNothing()
    {
        var calls = 0;
        var failures = 0;
        await using var spool = new LogSpool(
            _dir.Combine("lease.spool"),
            new SpoolBudget(memoryBytes: 2_000, diskBytes: 1 << 20),
            Deliver(_ =>
            {
                // Every other try fails, as a flaky network would.
                if (Interlocked.Increment(ref calls) % 2 == 1)
                {
                    Interlocked.Increment(ref failures);
                    throw new HttpRequestException("Connection refused");
                }

                return Task.CompletedTask;
            }),
            pause: TimeSpan.FromMilliseconds(1));

        for (var i = 1; i <= 100; i += 5)
        {
            spool.Add(Batch(i, lines: 5));
        }

        await spool.DrainedAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(1, 100).Select(n => (long)n), DeliveredNumbers());
        Assert.Equal(20, failures);
    }

    [Fact]
    public async Task PastTheDisksBound_LinesAreDropped_AndOneLineSaysHowMany()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var spool = new LogSpool(_dir.Combine("lease.spool"), new SpoolBudget(memoryBytes: 500, diskBytes: 1_000), Deliver(_ => open.Task));

        for (var i = 1; i <= 30; i++)
        {
            spool.Add(Batch(i));
        }

        open.SetResult();
        await spool.DrainedAsync(TestContext.Current.CancellationToken);

        List<SpoolItem> delivered;
        lock (_gate)
        {
            delivered = [.. _delivered];
        }

        var note = Assert.Single(delivered, i => i.Log!.Lines[0].Stream == LogStream.System);
        var kept = delivered.Where(i => i != note).Select(i => i.Log!.First).ToList();
        var dropped = 30 - kept.Count;
        Assert.True(dropped > 0);
        Assert.Equal(Enumerable.Range(1, kept.Count).Select(n => (long)n), kept);
        Assert.Equal(kept.Count + 1, note.Log!.First);
        Assert.Equal($"{dropped} log lines were dropped: the worker could not reach the server and its spool was full", note.Log.Lines[0].Text);
        Assert.Same(note, delivered[^1]);
    }

    [Fact]
    public async Task ALostLease_DropsTheSpool_AndDeletesItsFile()
    {
        var file = _dir.Combine("lease.spool");
        await using var spool = new LogSpool(
            file, new SpoolBudget(memoryBytes: 100, diskBytes: 1 << 20), (_, _) => throw new LeaseLostException("the lease passed on"), pause: TimeSpan.FromMilliseconds(1));

        for (var i = 1; i <= 10; i++)
        {
            spool.Add(Batch(i));
        }

        await spool.DrainedAsync(TestContext.Current.CancellationToken);

        Assert.True(spool.Lost);
        Assert.False(File.Exists(file));
    }
}
