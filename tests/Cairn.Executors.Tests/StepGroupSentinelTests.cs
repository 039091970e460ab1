using System.Diagnostics;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

/// <summary>The sentinel that takes running steps down with their host: closing its pipe is exactly what the kernel
/// does when the host process dies, however it dies.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StepGroupSentinelTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ShellCommand _shell = ShellCommand.Locate(new ShellExecutorOptions())!;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task HostGone_KillsEveryMarkedGroup_EvenOneThatIgnoresSigterm()
    {
        var sentinel = new StepGroupSentinel(_shell);
        sentinel.EnsureRunning();
        var (_, pids) = await StartGroupAsync("trap '' TERM; ", sentinel.Token);

        sentinel.Dispose();

        await WaitUntilGoneAsync(pids);
        Assert.All(pids, pid => Assert.True(IsGone(pid), $"process {pid} outlived its host"));
    }

    [Fact]
    public async Task GroupsMarkedForAnotherHost_OrNotAtAll_AreLeftAlone()
    {
        var sentinel = new StepGroupSentinel(_shell);
        var other = new StepGroupSentinel(_shell);
        sentinel.EnsureRunning();
        var (_, keptPids) = await StartGroupAsync("", null);
        var (_, foreignPids) = await StartGroupAsync("", other.Token);
        var (_, markedPids) = await StartGroupAsync("", sentinel.Token);

        sentinel.Dispose();
        await WaitUntilGoneAsync(markedPids);

        Assert.All(markedPids, pid => Assert.True(IsGone(pid), $"process {pid} outlived its host"));
        Assert.All(foreignPids, pid => Assert.False(IsGone(pid), $"process {pid} of another host was killed"));
        Assert.All(keptPids, pid => Assert.False(IsGone(pid), $"process {pid} was killed though it was no step"));
        // Killing a group's sleep lets its shell's `wait` return, so the shell may be gone by the time it is reached.
        foreach (var pid in foreignPids.Concat(keptPids))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    [Fact]
    public async Task Sweep_KillsTheStepsOfAnOwnerThatIsGone_AndForgetsIt()
    {
        var owners = _directory.Combine("owners");
        const string token = "0123456789abcdef0123456789abcdef";
        using (var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await finished.WaitForExitAsync(TestContext.Current.CancellationToken);
            Directory.CreateDirectory(owners, OwnerOnly);
            File.WriteAllText(Path.Combine(owners, token), $"{finished.Id} 1");
        }

        var (_, pids) = await StartGroupAsync("", token);

        var killed = StepOwnerRegistry.Sweep(owners);

        await WaitUntilGoneAsync(pids);
        Assert.Equal(pids.Count, killed);
        Assert.All(pids, pid => Assert.True(IsGone(pid), $"process {pid} of a gone owner survived the sweep"));
        Assert.False(File.Exists(Path.Combine(owners, token)), "the gone owner's record was kept");
    }

    [Fact]
    public async Task AnExecutorDisposedAfterItsSteps_TakesItsOwnerRecordAway_SoTheNextSweepHasNoOwnerToLookFor()
    {
        var owners = _directory.Combine("owners");
        var workspace = _directory.Combine("work");
        Directory.CreateDirectory(workspace);
        var executor = new ShellExecutor(new ShellExecutorOptions { StepOwnerDirectory = owners }, TimeProvider.System);

        var outcome = await executor.RunAsync(Job(workspace, [Step(0, "true")]), new RecordingJobReporter(), TestContext.Current.CancellationToken);
        Assert.Equal(Cairn.Core.Runs.JobStatus.Succeeded, outcome.Status);
        Assert.Single(FileNames(owners));

        executor.Dispose();

        Assert.Empty(FileNames(owners));
        Assert.Equal(0, StepOwnerRegistry.Sweep(owners));
    }

    [Fact]
    public async Task Sweep_LeavesTheStepsOfALiveOwnerAlone()
    {
        var owners = _directory.Combine("owners");
        var sentinel = new StepGroupSentinel(_shell, owners);
        sentinel.EnsureRunning();
        var (leader, pids) = await StartGroupAsync("", sentinel.Token);

        var killed = StepOwnerRegistry.Sweep(owners);

        Assert.Equal(0, killed);
        Assert.All(pids, pid => Assert.False(IsGone(pid), $"process {pid} of a live owner was killed"));
        Assert.True(File.Exists(Path.Combine(owners, sentinel.Token)), "a live owner's record was dropped");
        sentinel.Dispose();
        await WaitUntilGoneAsync(pids);
        Assert.False(File.Exists(Path.Combine(owners, sentinel.Token)), "a stopped owner's record was kept");
        leader.Dispose();
    }

    [Fact]
    public async Task QuietHost_WithNothingWatched_SentinelLeavesWhenThePipeCloses()
    {
        var sentinel = new StepGroupSentinel(_shell);
        sentinel.EnsureRunning();
        var pid = sentinel.ProcessId!.Value;

        sentinel.Dispose();

        await WaitUntilGoneAsync([pid]);
        Assert.True(IsGone(pid));
    }

    [Fact]
    public void TheDefaultRegistry_IsThisUsersOwn_AndMadePrivate()
    {
        var uid = PrivateDirectory.EffectiveUserId;

        var directory = StepOwnerRegistry.DefaultDirectory;
        StepOwnerRegistry.Register(directory, "0123456789abcdef0123456789abcdef");

        Assert.Equal(Path.Combine(Path.GetTempPath(), $"cairn-step-owners-{uid}"), directory);
        Assert.NotEqual(StepOwnerRegistry.DirectoryFor("/tmp", uid), StepOwnerRegistry.DirectoryFor("/tmp", uid + 1));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory));
        Assert.Null(PrivateDirectory.Check(directory));
        StepOwnerRegistry.Unregister(directory, "0123456789abcdef0123456789abcdef");
    }

    [Fact]
    public void ANewRegistry_IsMade0700()
    {
        var owners = _directory.Combine("fresh-owners");

        StepOwnerRegistry.Register(owners, "0123456789abcdef0123456789abcdef");

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(owners));
        Assert.True(File.Exists(Path.Combine(owners, "0123456789abcdef0123456789abcdef")));
    }

    [Fact]
    public async Task ARegistryOpenToOthers_IsNeitherSweptNorWrittenTo()
    {
        var owners = _directory.Combine("open-owners");
        Directory.CreateDirectory(owners);
        File.SetUnixFileMode(owners, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var token = await RecordGoneOwnerAsync(owners);
        var (_, pids) = await StartGroupAsync("", token);

        var killed = StepOwnerRegistry.Sweep(owners);
        StepOwnerRegistry.Register(owners, "fedcba9876543210fedcba9876543210");

        Assert.Equal(0, killed);
        Assert.All(pids, pid => Assert.False(IsGone(pid), $"process {pid} was killed from a registry anyone can write"));
        Assert.True(File.Exists(Path.Combine(owners, token)));
        Assert.False(File.Exists(Path.Combine(owners, "fedcba9876543210fedcba9876543210")));
        Assert.Contains("open to other users (mode 777", PrivateDirectory.Check(owners), StringComparison.Ordinal);
        KillAll(pids);
    }

    [Fact]
    public async Task ARegistryThatIsASymlink_IsNeitherSweptNorWrittenTo_AndWhereItPointsIsUntouched()
    {
        var target = _directory.Combine("someone-elses-files");
        Directory.CreateDirectory(target, OwnerOnly);
        File.WriteAllText(Path.Combine(target, "precious.txt"), "not an owner record");
        var token = await RecordGoneOwnerAsync(target);
        var owners = _directory.Combine("linked-owners");
        File.CreateSymbolicLink(owners, target);
        var (_, pids) = await StartGroupAsync("", token);

        var killed = StepOwnerRegistry.Sweep(owners);
        StepOwnerRegistry.Register(owners, "fedcba9876543210fedcba9876543210");

        Assert.Equal(0, killed);
        Assert.All(pids, pid => Assert.False(IsGone(pid), $"process {pid} was killed through a symlinked registry"));
        Assert.Equal(new[] { "precious.txt", token }.Order(StringComparer.Ordinal), FileNames(target));
        Assert.Contains("symbolic link", PrivateDirectory.Check(owners), StringComparison.Ordinal);
        KillAll(pids);
    }

    [Fact]
    public async Task TheSweepOfOneUsersRegistry_NeverTouchesAnotherUsers()
    {
        if (PrivateDirectory.EffectiveUserId != 0)
        {
            Assert.Skip("making a directory another user owns takes root");
        }

        var temp = _directory.Combine("tmp");
        var mine = StepOwnerRegistry.DirectoryFor(temp, 0);
        var theirs = StepOwnerRegistry.DirectoryFor(temp, 65534);
        Directory.CreateDirectory(mine, OwnerOnly);
        Directory.CreateDirectory(theirs, OwnerOnly);
        var token = await RecordGoneOwnerAsync(theirs);
        await RunAsync("chown", "-R", "65534:65534", theirs);
        var (_, pids) = await StartGroupAsync("", token);

        var fromMine = StepOwnerRegistry.Sweep(mine);
        var fromTheirs = StepOwnerRegistry.Sweep(theirs);
        StepOwnerRegistry.Register(theirs, "fedcba9876543210fedcba9876543210");

        Assert.Equal((0, 0), (fromMine, fromTheirs));
        Assert.All(pids, pid => Assert.False(IsGone(pid), $"process {pid} was killed by another user's sweep"));
        Assert.Equal([token], FileNames(theirs));
        Assert.Contains("belongs to user 65534, not to this user (0)", PrivateDirectory.Check(theirs), StringComparison.Ordinal);
        KillAll(pids);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Records, in <paramref name="owners"/>, an owner that has exited; returns its token.</summary>
    private static async Task<string> RecordGoneOwnerAsync(string owners)
    {
        var token = Guid.NewGuid().ToString("N");
        using var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await finished.WaitForExitAsync(TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(owners, token), $"{finished.Id} 1");
        return token;
    }

    private static string[] FileNames(string directory) =>
        [.. Directory.GetFiles(directory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
    }

    private static void KillAll(IReadOnlyList<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>A session of its own, as a step gets (marked with a host's token, or not): a shell and its background
    /// sleep, both pids recorded.</summary>
    private async Task<(Process Leader, IReadOnlyList<int> Pids)> StartGroupAsync(string prefix, string? token)
    {
        var pidFile = _directory.Combine($"pids-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo(_shell.SetsidPath!) { UseShellExecute = false };
        if (token is not null)
        {
            info.Environment[StepGroupSentinel.Variable] = token;
        }

        info.ArgumentList.Add(_shell.ShellPath);
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"{prefix}sleep 300 & echo $! >> {pidFile}; echo $$ >> {pidFile}; wait");
        var leader = Process.Start(info)!;
        await WaitForFileAsync(pidFile, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => ReadPids(pidFile).Count >= 2, "the shell and its sleep to write their pids", cancellationToken: TestContext.Current.CancellationToken);

        return (leader, ReadPids(pidFile));
    }

    private static Task WaitUntilGoneAsync(IReadOnlyList<int> pids) =>
        Eventually.TrueAsync(() => pids.All(IsGone), "the processes to be gone", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
}
