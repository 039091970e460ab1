using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

public sealed class ShellExecutorOutputTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly RecordingJobReporter _reporter = new();
    private readonly ShellExecutor _executor = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Stdout_AndStderr_AreSeparate_AndKeepTheirOrder()
    {
        var script = "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done";
        var job = Job(_workspace.Path, [Step(0, "true"), Step(1, script)]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(["out1", "out2", "out3", "out4", "out5"], _reporter.Text(1, LogStream.Stdout));
        Assert.Equal(["err1", "err2", "err3", "err4", "err5"], _reporter.Text(1, LogStream.Stderr));
        Assert.DoesNotContain(_reporter.Lines, l => l.StepIndex == 0);
    }

    [Fact]
    public async Task Lines_CarryTimestamps_FromTheInjectedClock()
    {
        var clock = new FixedClock(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var executor = new ShellExecutor(new ShellExecutorOptions(), clock);
        var job = Job(_workspace.Path, [Step(0, "echo hello")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        var line = Assert.Single(_reporter.Lines);
        Assert.Equal(clock.Now, line.Timestamp);
        Assert.Equal(clock.Now, outcome.Steps[0].StartedAt);
        Assert.Equal(clock.Now, outcome.Steps[0].FinishedAt);
    }

    [Fact]
    public async Task VeryLongLine_IsSplitIntoPiecesOfAtMost64KiB()
    {
        var job = Job(_workspace.Path, [Step(0, "head -c 204800 /dev/zero | tr '\\0' x; echo; echo next")]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        var lines = _reporter.Text(0, LogStream.Stdout);
        Assert.Equal([65536, 65536, 65536, 8192, 4], lines.Select(l => l.Length));
        Assert.Equal(204800, lines.Take(4).Sum(l => l.Count(c => c == 'x')));
        Assert.Equal("next", lines[^1]);
        Assert.Equal([true, true, true, false, false], _reporter.Lines.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Continues));
    }

    [Fact]
    public async Task InvalidUtf8_IsReplaced_AndTheJobCarriesOn()
    {
        var job = Job(_workspace.Path, [Step(0, "printf 'a\\xff\\xfeb\\n'; echo after")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["a\uFFFD\uFFFDb", "after"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task FinalLineWithoutNewline_IsStillReported()
    {
        var job = Job(_workspace.Path, [Step(0, "printf 'first\\nlast'; printf 'oops' >&2")]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(["first", "last"], _reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["oops"], _reporter.Text(0, LogStream.Stderr));
    }

    [Fact]
    public async Task CarriageReturnLineEndings_AreDropped()
    {
        var job = Job(_workspace.Path, [Step(0, "printf 'dos\\r\\nline\\r\\n'")]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(["dos", "line"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task ManyLines_AreAllDelivered()
    {
        var job = Job(_workspace.Path, [Step(0, "seq 1 20000")]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        var lines = _reporter.Text(0, LogStream.Stdout);
        Assert.Equal(20000, lines.Count);
        Assert.Equal("20000", lines[^1]);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now => now;

        public override DateTimeOffset GetUtcNow() => now;
    }
}
