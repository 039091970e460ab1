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
    /// same priority; the group is named too so that anything it started in the microseconds before is not left out.
    /// Where the kernel groups processes by session for the CPU (autogroup: a host's processes outside any control
    /// group), nice values weigh only within a session, and a step's session would otherwise get a share equal to the
    /// whole server's: the session's own nice value is set too.</summary>
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
            SetSessionNice(pid, nice);
        }
    }

    /// <summary>Gives the session <paramref name="pid"/> leads the nice value <paramref name="steps"/> above this
    /// process's where the kernel shares the CPU between sessions first (see <see cref="Lower"/>), for a process that
    /// started at its own lower priority already (through <c>nice</c>, see <see cref="ShellCommand.Arguments"/>): set
    /// from here as well, the two would add up.</summary>
    public static void LowerSession(int pid, int steps)
    {
        if (steps > 0 && OperatingSystem.IsLinux())
        {
            SetSessionNice(pid, Math.Min(Lowest, GetPriority(OfProcess, 0) + steps));
        }
    }

    /// <summary>Sets the nice value of <paramref name="pid"/>'s autogroup, when autogroups are on and it is not this
    /// process's own (a step started through <c>setsid</c> that has not yet left this session is not touched).</summary>
    private static void SetSessionNice(int pid, int nice)
    {
        if (OwnAutogroup.Value is not { } ours)
        {
            return;
        }

        try
        {
            if (GroupName(File.ReadAllText($"/proc/{pid}/autogroup")) is { Length: > 0 } theirs && theirs != ours)
            {
                // Without CAP_SYS_ADMIN the kernel takes one such change a tenth of a second (EAGAIN otherwise); as root, all.
                File.WriteAllText($"/proc/{pid}/autogroup", nice.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, refused, or rate-limited: the step runs at its session's default share.
        }
    }

    /// <summary>"/autogroup-42 nice 0" → "/autogroup-42".</summary>
    private static string GroupName(string line) => line.Split(' ', 2)[0];

    /// <summary>This process's autogroup, read once (a server never leaves its session); null when autogroups are off
    /// or this kernel has none.</summary>
    private static readonly Lazy<string?> OwnAutogroup = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/sched_autogroup_enabled").Trim() == "1"
                ? GroupName(File.ReadAllText("/proc/self/autogroup"))
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    });

    /// <summary>The nice value of process <paramref name="pid"/> (0: this one's), as the kernel keeps it.</summary>
    public static int Of(int pid) => OperatingSystem.IsLinux() ? GetPriority(OfProcess, pid) : 0;

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "getpriority")]
    private static partial int GetPriority(int which, int who);
}
