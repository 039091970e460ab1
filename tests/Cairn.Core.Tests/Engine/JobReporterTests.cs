using System.Reflection;
using System.Text;
using Cairn.Core.Engine;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

/// <summary>The reporter on the real SQLite store: what is stored of what an executor reports.</summary>
public sealed class JobReporterTests : IAsyncLifetime
{
    private const string Token = "tok-3f9a/Zq+x==";
    private static readonly DateTimeOffset At = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private EngineHarness _engine = null!;
    private JobRecord _job = null!;

    public async ValueTask InitializeAsync()
    {
        _engine = await EngineHarness.CreateAsync();
        var run = await _engine.Store.CreateRunAsync(EngineHarness.Plan("jobs:\n  noisy: { steps: [{ run: echo hi }] }\n"), CancellationToken.None);
        _job = (await _engine.Store.GetJobsAsync(run.Id, CancellationToken.None))[0];
    }

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task ShortSecret_IsNamedOnce_NeverItsValue_AndLeftAlone()
    {
        var masker = new SecretMasker([KeyValuePair.Create("PIN", "427"), KeyValuePair.Create("TOKEN", Token)]);
        var reporter = Reporter(masker);

        reporter.Log(Out($"pin 427 token {Token}"));
        reporter.Log(Out("pin 427 again"));
        var stored = await StoredAsync(reporter);

        var note = Assert.Single(stored, l => l.Text.Contains("PIN", StringComparison.Ordinal));
        Assert.Equal((LogStream.System, "secret 'PIN' is shorter than 4 characters: it is not masked in this log"), (note.Stream, note.Text));
        Assert.Equal(["pin 427 token ***", "pin 427 again"], stored.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text));
    }

    [Fact]
    public async Task LineInPieces_IsMaskedAcrossTheCut_AndStoredInLinesOfAtMost64KiB()
    {
        var reporter = Reporter(new SecretMasker([KeyValuePair.Create("TOKEN", Token)]));
        var first = new string('a', LogLine.MaxTextBytes - 5) + Token[..5];
        var second = Token[5..] + new string('b', 100) + Token;

        reporter.Log(Out(first) with { Continues = true });
        reporter.Log(new LogLine(0, LogStream.Stderr, At, $"meanwhile {Token[..5]}"));
        reporter.Log(Out(second));
        var stored = await StoredAsync(reporter);

        var stdout = stored.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text).ToList();
        Assert.Equal(new string('a', LogLine.MaxTextBytes - 5) + "***" + new string('b', 100) + "***", string.Concat(stdout));
        Assert.Equal([LogLine.MaxTextBytes, 101], stdout.Select(Encoding.UTF8.GetByteCount));
        Assert.Equal($"meanwhile {Token[..5]}", Assert.Single(stored, l => l.Stream == LogStream.Stderr).Text);
    }

    [Fact]
    public async Task WholeLineOver64KiB_IsCutAfterMasking()
    {
        var reporter = Reporter(new SecretMasker([KeyValuePair.Create("TOKEN", Token)]));
        var line = new string('€', 21_845) + Token + new string('x', 10);

        reporter.Log(Out(line));
        var stored = (await StoredAsync(reporter)).Select(l => l.Text).ToList();

        Assert.Equal(2, stored.Count);
        Assert.All(stored, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= LogLine.MaxTextBytes));
        Assert.Equal(new string('€', 21_845) + "***" + new string('x', 10), string.Concat(stored));
    }

    [Fact]
    public async Task LineTheExecutorLeftOpen_EndsWithItsStep()
    {
        var reporter = Reporter(new SecretMasker([KeyValuePair.Create("TOKEN", Token)]));
        var step = new Execution.StepSpec(0, "noisy", "echo hi", new Dictionary<string, string>(), null, null);

        reporter.Log(Out($"cut short {Token[..6]}") with { Continues = true });
        reporter.StepFinished(step, new Execution.StepOutcome(StepStatus.Failed, 1, FailureClass.Script, At, At));
        reporter.Log(Out($"{Token[6..]} is not the token: the step ended between"));
        var stored = await StoredAsync(reporter);

        Assert.Equal([$"cut short {Token[..6]}", $"{Token[6..]} is not the token: the step ended between"], stored.Select(l => l.Text));
    }

    [Fact]
    public async Task Nul_AndLoneSurrogates_AreStoredAsReplacementCharacters()
    {
        var reporter = Reporter(SecretMasker.None);

        reporter.Log(Out("a\0b\uD800c\uDC00d 😀"));
        var stored = await StoredAsync(reporter);

        Assert.Equal("a\uFFFDb\uFFFDc\uFFFDd 😀", Assert.Single(stored).Text);
    }

    [Fact]
    public async Task OutputPastTheCap_IsDropped_AfterOneMarkerLine_WhileCairnsOwnLinesAreKept()
    {
        var reporter = Reporter(SecretMasker.None, maxLogBytes: 1024);

        for (var i = 0; i < 100; i++)
        {
            reporter.Log(Out($"line {i:D3} " + new string('.', 40)));
        }

        reporter.System(0, At, "the failure looks like test: 3 failed");
        var stored = await StoredAsync(reporter);

        var kept = stored.TakeWhile(l => l.Stream == LogStream.Stdout).ToList();
        Assert.Equal(1024 / 49, kept.Count);
        Assert.Equal(
            [(LogStream.System, "log truncated at 1 KiB: the rest of this job's output was dropped"), (LogStream.System, "the failure looks like test: 3 failed")],
            stored.Skip(kept.Count).Select(l => (l.Stream, l.Text)));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(l => l.Sequence));
        Assert.StartsWith("line 099", reporter.Tail(null)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinesFromTwoStreamsAtOnce_AreNumberedInTheOrderTheyAreStored()
    {
        var reporter = Reporter(new SecretMasker([KeyValuePair.Create("TOKEN", Token)]));

        await Task.WhenAll(
            Task.Run(() => Flood(reporter, LogStream.Stdout), TestContext.Current.CancellationToken),
            Task.Run(() => Flood(reporter, LogStream.Stderr), TestContext.Current.CancellationToken));
        var stored = await StoredAsync(reporter);

        Assert.Equal(Enumerable.Range(1, 20_000).Select(i => (long)i), stored.Select(l => l.Sequence));
        foreach (var stream in new[] { LogStream.Stdout, LogStream.Stderr })
        {
            Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"{i} ***"), stored.Where(l => l.Stream == stream).Select(l => l.Text));
        }
    }

    [Fact]
    public async Task StoreFallingBehind_HoldsTheExecutorBack_InsteadOfQueueingWithoutBound()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = HeldStore.Wrap(_engine.Store, gate.Task);
        var reporter = new JobReporter(_job, 0, store, NullRunObserver.Instance, SecretMasker.None, TimeProvider.System);

        // 10 MiB of output against a store that takes nothing until the gate opens: the writer must stop and wait.
        var line = new string('x', 1024);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 10 * 1024; i++)
            {
                reporter.Log(Out(line));
            }
        }, TestContext.Current.CancellationToken);

        Assert.NotSame(writer, await Task.WhenAny(writer, Task.Delay(500, TestContext.Current.CancellationToken)));
        gate.SetResult();
        await writer;
        await reporter.DisposeAsync();
        Assert.Equal(10 * 1024, await _engine.Store.GetLastLogSequenceAsync(_job.Id, CancellationToken.None));
    }

    private static void Flood(JobReporter reporter, LogStream stream)
    {
        for (var i = 0; i < 10_000; i++)
        {
            reporter.Log(new LogLine(0, stream, At, $"{i} {Token}"));
        }
    }

    private static LogLine Out(string text) => new(0, LogStream.Stdout, At, text);

    private JobReporter Reporter(SecretMasker masker, long maxLogBytes = JobReporter.DefaultMaxLogBytes) =>
        new(_job, 0, _engine.Store, NullRunObserver.Instance, masker, TimeProvider.System, maxLogBytes);

    private async Task<IReadOnlyList<StoredLogLine>> StoredAsync(JobReporter reporter)
    {
        await reporter.DisposeAsync();
        Assert.Null(reporter.WriteFailure);
        return await _engine.Store.ReadLogAsync(_job.Id, 0, 100_000, CancellationToken.None);
    }

    /// <summary>A store whose log writes wait until a gate opens: a store that has fallen far behind.</summary>
    public class HeldStore : DispatchProxy
    {
        private IRunStore _inner = null!;
        private Task _gate = null!;

        public static IRunStore Wrap(IRunStore inner, Task gate)
        {
            var proxy = Create<IRunStore, HeldStore>();
            ((HeldStore)(object)proxy)._inner = inner;
            ((HeldStore)(object)proxy)._gate = gate;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IRunStore.AppendLogAsync)
                ? AfterGateAsync(() => (Task)targetMethod.Invoke(_inner, args)!)
                : targetMethod.Invoke(_inner, args);

        private async Task AfterGateAsync(Func<Task> write)
        {
            await _gate;
            await write();
        }
    }
}
