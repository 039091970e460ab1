using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>One thread that waits for every spawned step's process to exit and reaps it: each process is watched through
/// a pidfd (Linux 5.3 and later) in one epoll set, and reaped with <c>waitpid</c> on its own pid, never on -1.
///
/// Why this is safe beside the runtime's own children (git and others started through
/// <see cref="System.Diagnostics.Process"/>): .NET's SIGCHLD handling (System.Native pal_signal.c, ProcessWaitState.Unix
/// CheckChildren) peeks at exited children with <c>waitid(P_ALL, WNOHANG | WNOWAIT)</c> and reaps only pids it started
/// itself; when it finds a child it does not know (one of ours, exited and not yet reaped here) it checks each of its
/// own instead, and leaves ours alone. It reaps every child with <c>waitpid(-1)</c> in two cases only: when it runs as
/// pid 1, and when SIGCHLD was ignored when it installed its handler (it then keeps SIG_IGN, and the kernel reaps every
/// child itself). In both an exit status could be lost, so <see cref="Shared"/> is null there and steps start through
/// <see cref="System.Diagnostics.Process"/> as before. The container image runs tini as pid 1.</summary>
internal sealed unsafe partial class StepReaper
{
    private const int EpollIn = 0x001;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCloexec = 0x80000;
    private const int Interrupted = 4;
    private const int SigChld = 17;
    private const int BatchSize = 32;

    private static readonly Lazy<StepReaper?> Instance = new(TryCreate);

    // x86-64 packs struct epoll_event (12 bytes, data at offset 4); other architectures align data to 8.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Watched> _watched = [];
    private long _idleWakeups;

    private StepReaper(int epoll)
    {
        _epoll = epoll;
        new Thread(Run) { IsBackground = true, Name = "Cairn step reaper" }.Start();
    }

    /// <summary>The process's reaper, or null where steps must start through <see cref="System.Diagnostics.Process"/>
    /// (not Linux, pid 1, SIGCHLD ignored, a kernel without pidfds).</summary>
    public static StepReaper? Shared => Instance.Value;

    /// <summary>How many times the set reported a pidfd that had nothing to reap: none, as long as every registration
    /// leaves the set with its pidfd.</summary>
    public long IdleWakeups => Interlocked.Read(ref _idleWakeups);

    /// <summary>Completes with the process's exit code (128 + the signal when a signal ended it), once it has been
    /// reaped. The process must be a child of this one that nobody else waits for.</summary>
    public Task<int> Watch(int pid)
    {
        var pidfd = PidfdOpen(pid, 0);
        if (pidfd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new Win32Exception(error, $"pidfd_open({pid}) failed: {new Win32Exception(error).Message}");
        }

        var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _watched[pidfd] = new Watched(pid, exit);
        }

        Span<byte> change = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(change, EpollIn);
        BinaryPrimitives.WriteInt64LittleEndian(change[DataOffset..], pidfd);
        fixed (byte* ev = change)
        {
            if (EpollCtl(_epoll, EpollCtlAdd, pidfd, ev) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                lock (_gate)
                {
                    _watched.Remove(pidfd);
                }

                _ = PosixSpawn.Close(pidfd);
                throw new Win32Exception(error, $"epoll_ctl failed: {new Win32Exception(error).Message}");
            }
        }

        return exit.Task;
    }

    /// <summary>Kills and reaps a child that could not be watched, so that it is neither left running nor a zombie.</summary>
    public static void KillAndReap(int pid)
    {
        _ = ProcessGroup.Kill(-pid, 9);
        _ = ProcessGroup.Kill(pid, 9);
        int status;
        while (WaitPid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(EventSize * BatchSize));
        while (true)
        {
            var count = EpollWait(_epoll, events, BatchSize, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Interrupted)
                {
                    continue;
                }

                // EBADF or EINVAL cannot happen on a set this class owns; nothing could be reaped after it.
                Environment.FailFast($"epoll_wait failed in the step reaper: errno {Marshal.GetLastPInvokeError()}");
            }

            for (var i = 0; i < count; i++)
            {
                var data = new ReadOnlySpan<byte>(events + (i * EventSize) + DataOffset, 8);
                Reap((int)BinaryPrimitives.ReadInt64LittleEndian(data));
            }
        }
    }

    private void Reap(int pidfd)
    {
        Watched watched;
        lock (_gate)
        {
            if (!_watched.TryGetValue(pidfd, out watched))
            {
                Interlocked.Increment(ref _idleWakeups);
                return;
            }
        }

        int status;
        int result;
        while ((result = WaitPid(watched.Pid, &status, 1 /* WNOHANG */)) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }

        if (result == 0)
        {
            // The pidfd turns readable when the process exits, and the exit makes it waitable: not expected to happen.
            Interlocked.Increment(ref _idleWakeups);
            return;
        }

        lock (_gate)
        {
            _watched.Remove(pidfd);
        }

        // Out of the set first, then closed. Closing alone takes a registration out only once no descriptor in any
        // process refers to the pidfd's open file any more, and a child being spawned at that moment holds a copy of
        // every descriptor until it execs: the set would go on reporting the exited process under this number, which
        // the next step's pidfd may already carry, and this thread would spin on waitpid until that step ends.
        Span<byte> unused = stackalloc byte[16];
        fixed (byte* ev = unused)
        {
            _ = EpollCtl(_epoll, EpollCtlDel, pidfd, ev);
        }

        _ = PosixSpawn.Close(pidfd);

        // ECHILD: someone reaped it behind our back (see the class comment); its status is lost, and a step must
        // then fail rather than pass.
        watched.Exit.TrySetResult(result < 0 ? -1 : ExitCode(status));
    }

    private static int ExitCode(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    private static StepReaper? TryCreate()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessId == 1 || SigChldIgnored())
        {
            return null;
        }

        try
        {
            // A kernel without pidfd_open (before 5.3) answers ENOSYS; a libc without the wrapper throws.
            var self = PidfdOpen(Environment.ProcessId, 0);
            if (self < 0)
            {
                return null;
            }

            _ = PosixSpawn.Close(self);
            var epoll = EpollCreate1(EpollCloexec);
            return epoll < 0 ? null : new StepReaper(epoll);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static bool SigChldIgnored()
    {
        // struct sigaction begins with the handler on every Linux glibc architecture; SIG_IGN is 1.
        var action = stackalloc byte[256];
        return SigAction(SigChld, null, action) == 0 && *(nint*)action == 1;
    }

    private readonly record struct Watched(int Pid, TaskCompletionSource<int> Exit);

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigAction(int signal, byte* action, byte* old);
}
