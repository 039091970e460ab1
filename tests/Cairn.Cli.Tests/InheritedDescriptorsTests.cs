namespace Cairn.Cli.Tests;

/// <summary>How the program that started cairn left the process matters not to the runs: a descriptor left open across
/// exec reaches none of the programs cairn starts, and an ignored SIGCHLD does not leave a run waiting forever.</summary>
public sealed class InheritedDescriptorsTests : IDisposable
{
    // Lists the step's shell's own descriptors: 0, 1 and 2, and the directory its glob reads while it lists them.
    private const string Probe = """
        jobs:
          probe:
            steps:
              - run: for fd in /proc/$$/fd/*; do echo "fd=${fd##*/}"; done
        """;

    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task ADescriptorTheLauncherLeftOpen_ReachesNoStep_EvenWhereStepsStartThroughDotnetsProcess()
    {
        Assert.SkipUnless(Environment.UserName == "root", "needs root for a pid namespace (unshare); .ci/run runs as root");
        _dir.WriteFile(".cairn.yml", Probe);

        // A shell leaves descriptor 7 open across exec. As pid 1 of its own pid namespace (a container without an init)
        // cairn starts steps through System.Diagnostics.Process, which hands on every descriptor not marked close-on-exec.
        await using var cairn = CairnProcess.StartThrough(
            ["unshare", "--pid", "--fork", "--mount-proc", "bash", "-c", """exec 7</dev/null; exec "$@" """, "launcher"],
            _dir.Path, new Dictionary<string, string?>(), "run");
        var result = await cairn.WaitAsync(Prompt);

        Assert.True(result.ExitCode == 0, result.ToString());
        var listed = CairnOutput.LinesOf(result.Stdout, "probe").Where(l => l.StartsWith("fd=", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(["fd=0", "fd=1", "fd=2", "fd=3"], listed);
    }

    [Fact]
    public async Task ALauncherThatIgnoresSigchld_DoesNotLeaveTheRunWaitingForever()
    {
        _dir.WriteFile(".cairn.yml", Probe);

        await using var cairn = CairnProcess.StartThrough(["env", "--ignore-signal=CHLD"], _dir.Path, new Dictionary<string, string?>(), "run");
        var result = await cairn.WaitAsync(Prompt);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("probe  succeeded", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("fd=0", CairnOutput.LinesOf(result.Stdout, "probe"));
    }

    public void Dispose() => _dir.Dispose();
}
