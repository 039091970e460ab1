using System.Diagnostics;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

/// <summary>The sentinel that takes running steps down with their host: closing its pipe is exactly what the kernel
/// does when the host process dies, however it dies.</summary>
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
            Directory.CreateDirectory(owners);
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
        while (ReadPids(pidFile).Count < 2)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return (leader, ReadPids(pidFile));
    }

    private static async Task WaitUntilGoneAsync(IReadOnlyList<int> pids)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10) && !pids.All(IsGone))
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
