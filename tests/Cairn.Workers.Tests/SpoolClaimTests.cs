using System.Diagnostics;

namespace Cairn.Workers.Tests;

public sealed class SpoolClaimTests
{
    [Fact]
    public async Task Taking_RemovesWhatDeadWorkersLeft_LeavesLiveOnes_AndGivesBackItsOwnWhenDone()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(root.Path, "dead"));
        File.WriteAllText(Path.Combine(root.Path, "dead", "lease-1.spool"), "lines nobody will send");
        File.WriteAllText(Path.Combine(root.Path, "dead.lock"), "");
        Directory.CreateDirectory(Path.Combine(root.Path, "alive"));

        // Another worker process holds its lock the way every worker does: flock(2), released when it dies.
        using var alive = Process.Start(new ProcessStartInfo("bash", ["-c", $"exec 9>'{Path.Combine(root.Path, "alive.lock")}'; flock -x 9; echo held; exec sleep 60"])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", await alive.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));

        string mine;
        using (var claim = SpoolClaim.Take(root.Path, "me"))
        {
            mine = claim.Directory;
            Assert.Equal([Path.Combine(root.Path, "dead")], claim.Swept);
            Assert.False(Directory.Exists(Path.Combine(root.Path, "dead")));
            Assert.True(Directory.Exists(Path.Combine(root.Path, "alive")));
            Assert.True(Directory.Exists(mine));
            Assert.Throws<IOException>(() => SpoolClaim.Take(root.Path, "me"));
        }

        Assert.False(Directory.Exists(mine));
        alive.Kill();
        await alive.WaitForExitAsync(TestContext.Current.CancellationToken);
        using var next = SpoolClaim.Take(root.Path, "next");
        Assert.Equal([Path.Combine(root.Path, "alive")], next.Swept);
    }
}
