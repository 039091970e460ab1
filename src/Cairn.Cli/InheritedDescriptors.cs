using System.Globalization;
using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>What this process inherited beyond stdin, stdout and stderr stays with it: every such descriptor is marked
/// close-on-exec at start, so that nothing Cairn starts (a step's shell, git, podman, an agent's program) receives it.
/// A shell or a service manager that started <c>cairn</c> may leave descriptors open across <c>exec</c> (a redirection,
/// a passed socket, a make jobserver's pipe); .NET opens its own with close-on-exec, but hands on whatever it inherited
/// to every <see cref="System.Diagnostics.Process"/> it starts. The shell executor's own spawn closes them too; this
/// covers every other way a program is started.</summary>
internal static partial class InheritedDescriptors
{
    private const int First = 3;
    private const uint CloseRangeCloexec = 4;
    private const int GetDescriptorFlags = 1;
    private const int SetDescriptorFlags = 2;
    private const int CloseOnExecFlag = 1;

    /// <summary>Marks descriptors 3 and above close-on-exec: one <c>close_range</c> call (Linux 5.11, glibc 2.34), or each
    /// descriptor listed in <c>/proc/self/fd</c> where that call is missing. Elsewhere than Linux it does nothing.</summary>
    public static void CloseOnExec()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            if (CloseRange(First, uint.MaxValue, CloseRangeCloexec) == 0)
            {
                return;
            }
        }
        catch (EntryPointNotFoundException)
        {
        }

        string[] listed;
        try
        {
            listed = Directory.GetFileSystemEntries("/proc/self/fd");
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in listed)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var descriptor) && descriptor >= First
                && Fcntl(descriptor, GetDescriptorFlags, 0) is var flags and >= 0 && (flags & CloseOnExecFlag) == 0)
            {
                _ = Fcntl(descriptor, SetDescriptorFlags, flags | CloseOnExecFlag);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "close_range", SetLastError = true)]
    private static partial int CloseRange(uint first, uint last, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);
}
