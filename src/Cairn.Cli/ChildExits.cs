using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>Makes sure this process hears of its children's exits. A launcher that ignores SIGCHLD leaves it ignored
/// across <c>exec</c>; the kernel then reaps every child the moment it exits, .NET keeps that disposition and installs no
/// handler, and every program Cairn starts through <see cref="System.Diagnostics.Process"/> (git, podman, a step's shell
/// where steps cannot be reaped otherwise) is waited for forever: a run that never ends. Such a process starts itself
/// again with SIGCHLD's default disposition: the same program, process id, arguments, environment and streams.</summary>
internal static partial class ChildExits
{
    private const int SigChld = 17;
    private const nint Ignore = 1;
    private const nint Default = 0;

    /// <summary>Returns at once when SIGCHLD is not ignored (or not on Linux). Otherwise replaces this process and does
    /// not return, unless that fails, which it reports on <paramref name="error"/>.</summary>
    public static void EnsureHeard(TextWriter error)
    {
        if (!OperatingSystem.IsLinux() || !Ignored())
        {
            return;
        }

        string[] argv;
        try
        {
            argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        }
        catch (IOException ex)
        {
            Warn(error, ex.Message);
            return;
        }

        _ = Signal(SigChld, Default);
        Warn(error, ProcessImage.Replace("/proc/self/exe", argv));
    }

    private static void Warn(TextWriter error, string reason) =>
        error.WriteLine($"warning: SIGCHLD is ignored and cairn could not start itself again without that ({reason}): programs it starts may never be seen to end");

    // struct sigaction begins with the handler on every Linux glibc architecture.
    private static bool Ignored()
    {
        var action = new byte[256];
        return SigAction(SigChld, null, action) == 0 && BitConverter.ToInt64(action) == Ignore;
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigAction(int signal, byte[]? action, byte[] old);

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial nint Signal(int signal, nint handler);
}
