using System.Globalization;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

/// <summary>How a step's process is started and reaped: its exit status, its signals, its session, and nothing left
/// behind, neither a zombie nor a process it started.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShellExecutorSpawnTests : IDisposable
{
    // Generous: the machine running the tests may be busy; these bound hangs, they do not measure speed.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _workspace = new();
    private readonly RecordingJobReporter _reporter = new();
    private readonly ShellExecutor _executor = new(new ShellExecutorOptions { KillGracePeriod = TimeSpan.FromMilliseconds(500) }, TimeProvider.System);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task StepsShell_IsReaped_AndNotLeftAZombie()
    {
        var job = Job(_workspace.Path, [Step(0, "echo $$"), Step(1, "echo $$; exit 3")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(3, outcome.ExitCode);
        foreach (var index in new[] { 0, 1 })
        {
            var pid = int.Parse(Assert.Single(_reporter.Text(index, LogStream.Stdout)), CultureInfo.InvariantCulture);
            Assert.False(ProcStat.Read(pid) is { State: 'Z' }, $"the shell of step {index} (pid {pid}) is a zombie");
        }
    }

    [Fact]
    public async Task StepsShell_LeadsItsOwnSession_AndSeesEveryNameAndTheWorkingDirectory()
    {
        var env = new Dictionary<string, string> { ["SPACED"] = "a b  c", ["UNICODE"] = "héllo ✓", ["EMPTY"] = "" };
        var job = Job(_workspace.Path, [Step(0, "set -- $(cut -d' ' -f6 /proc/$$/stat) $$; [ \"$1\" = \"$2\" ] && echo session-leader\nprintf '%s|%s|%s|\\n' \"$SPACED\" \"$UNICODE\" \"${EMPTY-unset}\"\npwd", env: env)]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["session-leader", "a b  c|héllo ✓||", _workspace.Path], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task StepsShell_GetsStdinStdoutAndStderr_NotWhatThisProcessInherited()
    {
        Assert.SkipWhen(StepReaper.Shared is null, "steps start through System.Diagnostics.Process on this host");

        // A descriptor without close-on-exec, as a shell or a service manager leaves to the programs it starts.
        var inherited = Dup(1);
        Assert.True(inherited > 2, $"dup failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        try
        {
            var job = Job(_workspace.Path, [Step(0, "for fd in /proc/$$/fd/*; do echo \"${fd##*/}\"; done")]);

            var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

            Assert.Equal(JobStatus.Succeeded, outcome.Status);
            // 0, 1 and 2, and 3: the directory the shell's glob reads while it lists them.
            var listed = _reporter.Text(0, LogStream.Stdout);
            Assert.DoesNotContain(inherited.ToString(CultureInfo.InvariantCulture), listed);
            Assert.Equal(["0", "1", "2", "3"], listed.Order(StringComparer.Ordinal));
        }
        finally
        {
            _ = Close(inherited);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [Fact]
    public async Task WithoutSetsid_StepsStillLeadTheirOwnSession_AndCarryTheSentinelsMark()
    {
        Assert.SkipWhen(StepReaper.Shared is null, "steps start through System.Diagnostics.Process on this host");
        using var bin = new TempDirectory();
        File.CreateSymbolicLink(bin.Combine("bash"), "/bin/bash");
        var executor = new ShellExecutor(new ShellExecutorOptions { SearchPath = bin.Path }, TimeProvider.System);
        var job = Job(_workspace.Path, [Step(0, "set -- $(cut -d' ' -f6 /proc/$$/stat) $$; [ \"$1\" = \"$2\" ] && echo session-leader\necho \"marked=${CAIRN_STEP_OWNER:+yes}\"")]);

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["session-leader", "marked=yes"], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task StepsProcesses_RunJobNiceStepsNicerThanTheHost_AndWhatTheyStartToo()
    {
        using var nicer = new ShellExecutor(new ShellExecutorOptions { JobNice = 5 }, TimeProvider.System);
        var expected = Math.Min(ProcessPriority.Lowest, ProcessPriority.Of(0) + 5).ToString(CultureInfo.InvariantCulture);

        // The session's value is set just after the start, from outside: the step gives it a few seconds to show.
        var job = Job(_workspace.Path, [Step(0, $"nice\nsh -c nice\n(sleep 0.1; nice)\n"
            + $"for i in $(seq 100); do grep -q ' nice {expected}$' /proc/$$/autogroup 2>/dev/null && break; sleep 0.05; done\n"
            + "cat /proc/$$/autogroup 2>/dev/null || echo none")]);

        var outcome = await nicer.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var lines = _reporter.Text(0, LogStream.Stdout);
        Assert.Equal([expected, expected, expected], lines.Take(3));

        // Where the kernel shares the CPU between sessions first (autogroups), the step's session carries the nice value
        // too, or its share would be the whole server's. Unprivileged, the kernel takes one such change a tenth of a second.
        if (StepReaper.Shared is not null && UnixAccount.ProcessIsRoot
            && File.Exists("/proc/sys/kernel/sched_autogroup_enabled") && File.ReadAllText("/proc/sys/kernel/sched_autogroup_enabled").Trim() == "1")
        {
            Assert.EndsWith($" nice {expected}", lines[3], StringComparison.Ordinal);
            Assert.NotEqual(File.ReadAllText("/proc/self/autogroup").Split(' ')[0], lines[3].Split(' ')[0]);
        }
    }

    [Fact]
    public async Task StepsProcesses_RunAtTheHostsPriority_WithoutJobNice()
    {
        var job = Job(_workspace.Path, [Step(0, "nice")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal([ProcessPriority.Of(0).ToString(CultureInfo.InvariantCulture)], _reporter.Text(0, LogStream.Stdout));
    }

    [Fact]
    public async Task StepKilledByASignal_FailsWithExitCode128PlusTheSignal()
    {
        var job = Job(_workspace.Path, [Step(0, "kill -KILL $$")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Script, outcome.FailureClass);
        Assert.Equal(137, outcome.Steps[0].ExitCode);
    }

    [Fact]
    public async Task ChildThatOutlivesItsStep_AndIgnoresSigterm_IsStillKilled()
    {
        var pids = _workspace.Combine("pids");

        // Out of the step's pipes, so only the process-group kill after the shell's exit can end it.
        var job = Job(_workspace.Path, [Step(0, $"(trap '' TERM; exec sleep 600) >/dev/null 2>&1 &\necho $! > {pids}")]);

        var outcome = await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var child = Assert.Single(ReadPids(pids));
        Assert.True(await IsGoneSoonAsync(child, TestContext.Current.CancellationToken), $"the step's child {child} outlived it");
    }

    [Fact]
    public async Task StepsShell_StartsWithNoSignalIgnoredOrBlocked()
    {
        // .NET ignores SIGPIPE in its own process; a step's `producer | head` must see the default, as under a terminal.
        // Process.Start passes ignored signals on, so where steps still start through it they inherit that.
        Assert.SkipWhen(StepReaper.Shared is null, "steps start through System.Diagnostics.Process on this host");
        var job = Job(_workspace.Path, [Step(0, "grep -E '^Sig(Ign|Blk)' /proc/$$/status")]);

        await _executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken).WaitAsync(Prompt, TestContext.Current.CancellationToken);

        var masks = _reporter.Text(0, LogStream.Stdout).ToDictionary(line => line.Split(':')[0], line => ulong.Parse(line.Split('\t')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Equal(0UL, masks["SigBlk"]);

        // Signals 1-31 only: glibc's spawn leaves its two internal real-time signals (32, 33) ignored, and no program uses them.
        Assert.Equal(0UL, masks["SigIgn"] & 0x7fff_ffffUL);
    }

    [Fact]
    public async Task ShellThatCannotBeExecuted_FailsTheJobAsInfra_NamingTheShell()
    {
        using var bin = new TempDirectory();
        var bash = bin.Combine("bash");
        await File.WriteAllBytesAsync(bash, [0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0], TestContext.Current.CancellationToken);
        File.SetUnixFileMode(bash, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var executor = new ShellExecutor(new ShellExecutorOptions { SearchPath = bin.Path }, TimeProvider.System);

        var outcome = await executor.RunAsync(Job(_workspace.Path, [Step(0, "true")]), _reporter, TestContext.Current.CancellationToken)
            .WaitAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains(bash, outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("Exec format error", outcome.Detail, StringComparison.Ordinal);
    }
}
