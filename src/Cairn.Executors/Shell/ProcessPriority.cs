using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>Lowers the CPU priority of the processes a server or worker starts for a job (their nice value, raised by a
/// number of steps over this process's own), so that when jobs keep every core busy, the process that answers webhooks,
/// plans runs and hands out jobs still gets a core first. A job loses nothing while the cores have room: the kernel only
/// weighs priorities between processes that are all waiting to run. Linux only; elsewhere, or where the kernel refuses,
/// nothing changes: a priority is a preference, never a reason for a job to fail.</summary>
public static partial class ProcessPriority
{
    /// <summary>The nice value the kernel allows no higher.</summary>
    public const int Lowest = 19;

    private const int OfProcess = 0;
    private const int OfGroup = 1;

    /// <summary>Gives process <paramref name="pid"/>, and its process group when <paramref name="group"/> (a step that
    /// leads a session of its own), the nice value <paramref name="steps"/> above this process's, at most
    /// <see cref="Lowest"/>; nothing when <paramref name="steps"/> is 0. Whatever the process starts from then on takes the
    /// same priority; the group is named too so that anything it started in the microseconds before is not left out.</summary>
    public static void Lower(int pid, int steps, bool group)
    {
        if (steps <= 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        // getpriority may return -1 as a nice value; for this process it cannot fail, so no errno needs reading.
        var nice = Math.Min(Lowest, GetPriority(OfProcess, 0) + steps);
        _ = SetPriority(OfProcess, pid, nice);
        if (group)
        {
            _ = SetPriority(OfGroup, pid, nice);
        }
    }

    /// <summary>The nice value of process <paramref name="pid"/> (0: this one's), as the kernel keeps it.</summary>
    public static int Of(int pid) => OperatingSystem.IsLinux() ? GetPriority(OfProcess, pid) : 0;

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "getpriority")]
    private static partial int GetPriority(int which, int who);
}
