using Cairn.Executors.Shell;

namespace Cairn.Executors.Tests.Shell;

/// <summary>The one reaper thread: every exit is reaped once, and the thread sleeps between exits.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StepReaperTests
{
    [Fact]
    public async Task ProcessesStartedWhileOthersAreReaped_AreEachReaped_AndTheReaperNeverWakesForNothing()
    {
        var reaper = StepReaper.Shared;
        Assert.NotNull(reaper);
        var before = reaper.IdleWakeups;

        // Two threads start short processes one after another, as two workers do: a pidfd is closed while the other
        // thread's child has not exec'd yet (and so still holds a copy of it) again and again.
        var exits = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var codes = new List<int>();
            for (var i = 0; i < 150; i++)
            {
                var started = PosixSpawn.Start(["/bin/sh", "-c", $"exit {i % 7}"], [], "/");
                _ = PosixSpawn.Close(started.StdoutFd);
                _ = PosixSpawn.Close(started.StderrFd);
                codes.Add(await reaper.Watch(started.Pid).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            }

            return codes;
        })));

        Assert.All(exits, codes => Assert.Equal(Enumerable.Range(0, 150).Select(i => i % 7), codes));
        Assert.Equal(0, reaper.IdleWakeups - before);
    }
}
