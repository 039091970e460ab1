using System.Globalization;
using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>The processes one step started. In a session of its own (<c>POSIX_SPAWN_SETSID</c>, or <c>setsid</c>) the
/// step's shell leads its own process group, so a signal to the negative pid reaches every descendant that stayed in the group (background jobs,
/// grandchildren), even after the shell itself has exited.</summary>
internal sealed partial class ProcessGroup(StepLeader leader, bool ownsSession)
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KillSettleTime = TimeSpan.FromSeconds(1);

    private int Id => leader.Id;

    /// <summary>Asks the group to stop (SIGTERM), waits up to <paramref name="grace"/> for the leader and every live
    /// member to go, then kills (SIGKILL) whatever is left. Takes no token on purpose: a kill stopped halfway would
    /// leave processes behind.</summary>
    public async Task TerminateAsync(TimeSpan grace, TimeProvider time)
    {
        if (!ownsSession)
        {
            // Without a session of our own the tree is only reachable through the leader's descendants.
            KillTreeThroughLeader();
            return;
        }

        if (!IsAlive())
        {
            return;
        }

        Signal(SigTerm);
        if (await WaitUntilGoneAsync(grace, time))
        {
            return;
        }

        Signal(SigKill);

        // SIGKILL lands at once, but the kernel tears processes down asynchronously; bounded, because a process
        // stuck in uninterruptible I/O cannot be hurried.
        await WaitUntilGoneAsync(KillSettleTime, time);
    }

    private async Task<bool> WaitUntilGoneAsync(TimeSpan limit, TimeProvider time)
    {
        using var expired = new CancellationTokenSource(limit, time);
        while (!expired.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, time, CancellationToken.None);
            if (!IsAlive())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Kills the group (or, without a session, the leader's tree) at once.</summary>
    public void KillNow()
    {
        if (ownsSession)
        {
            Signal(SigKill);
        }
        else
        {
            KillTreeThroughLeader();
        }
    }

    /// <summary>True while the leader runs or any member of its group is a live (non-zombie) process.</summary>
    public bool IsAlive()
    {
        if (!leader.HasExited)
        {
            return true;
        }

        return ownsSession && GroupHasLiveMembers(Id);
    }

    private void Signal(int signal)
    {
        if (Kill(-Id, signal) == 0)
        {
            return;
        }

        // setsid may not have run yet in a freshly started process: then the leader is still in our group.
        if (Marshal.GetLastPInvokeError() == NoSuchProcess && !leader.HasExited)
        {
            _ = Kill(Id, signal);
        }
    }

    private void KillTreeThroughLeader() => leader.KillTree();

    private static bool GroupHasLiveMembers(int groupId)
    {
        // No process to signal (ESRCH: not even a zombie) is the common case after a step: answered without a scan.
        if (Kill(-groupId, 0) != 0)
        {
            return false;
        }

        if (!Directory.Exists("/proc"))
        {
            return true;
        }

        // kill(-pgid, 0) also counts zombies, and orphans stay zombies for good under an init that never reaps.
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(directory.AsSpan());
            if (name.IsEmpty || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }

            if (ProcStat.Read(directory) is { } stat && stat.GroupId == groupId && stat.IsLive)
            {
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
