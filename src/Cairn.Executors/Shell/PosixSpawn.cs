using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Cairn.Executors.Shell;

/// <summary>Starts a step's program with glibc's <c>posix_spawn</c> (a vfork-style clone, then exec) in a session of its
/// own (<c>POSIX_SPAWN_SETSID</c>, so no <c>setsid</c> program is exec'd first), stdin from <c>/dev/null</c>, stdout and
/// stderr on two fresh pipes, exactly the environment given, every signal's disposition reset to the default and none
/// blocked (.NET ignores SIGPIPE; a step's pipeline must not inherit that).</summary>
internal static unsafe partial class PosixSpawn
{
    // glibc's values (spawn.h, fcntl.h); this file is only used on Linux with glibc, see StepReaper.IsUsable.
    private const short SetSignalDefaults = 0x04;
    private const short SetSignalMask = 0x08;
    private const short SetSession = 0x80;
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    // Larger than glibc's posix_spawnattr_t (336 bytes), posix_spawn_file_actions_t (80) and sigset_t (128) on every
    // architecture it supports: the library initialises them, we only hold the memory.
    private const int OpaqueSize = 512;

    /// <summary>The started process and the parent's ends of its output pipes (close-on-exec, owned by the caller).</summary>
    public readonly record struct Started(int Pid, int StdoutFd, int StderrFd);

    /// <summary>Starts <paramref name="argv"/>[0] (an absolute path) with <paramref name="environment"/> in
    /// <paramref name="workingDirectory"/>. Throws <see cref="Win32Exception"/> when it cannot be started: the program is
    /// missing or not executable, the directory is missing.</summary>
    public static Started Start(IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment, string workingDirectory)
    {
        var env = environment.Select(pair => pair.Key + "=" + pair.Value).ToList();
        var strings = StringBlock.Create(argv, env, workingDirectory);
        int* output = stackalloc int[2];
        int* errors = stackalloc int[2];
        output[0] = output[1] = errors[0] = errors[1] = -1;
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        var actions = NativeMemory.AllocZeroed(OpaqueSize);
        var signals = NativeMemory.AllocZeroed(OpaqueSize);
        var attributesReady = false;
        var actionsReady = false;
        try
        {
            Check(Pipe2(output, CloseOnExec) == 0 ? 0 : Marshal.GetLastPInvokeError(), "pipe2");
            Check(Pipe2(errors, CloseOnExec) == 0 ? 0 : Marshal.GetLastPInvokeError(), "pipe2");

            Check(SpawnAttrInit(attributes), "posix_spawnattr_init");
            attributesReady = true;
            Check(SignalFillSet(signals) == 0 ? 0 : Marshal.GetLastPInvokeError(), "sigfillset");
            Check(SpawnAttrSetSignalDefaults(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(SignalEmptySet(signals) == 0 ? 0 : Marshal.GetLastPInvokeError(), "sigemptyset");
            Check(SpawnAttrSetSignalMask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(SpawnAttrSetFlags(attributes, SetSession | SetSignalDefaults | SetSignalMask), "posix_spawnattr_setflags");

            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsReady = true;
            Check(FileActionsAddChdir(actions, strings.WorkingDirectory), "posix_spawn_file_actions_addchdir_np");
            Check(FileActionsAddOpen(actions, 0, strings.DevNull, ReadOnly, 0), "posix_spawn_file_actions_addopen");
            // dup2 clears close-on-exec on the copy only: the child keeps 1 and 2, and the originals close at exec.
            Check(FileActionsAddDup2(actions, output[1], 1), "posix_spawn_file_actions_adddup2");
            Check(FileActionsAddDup2(actions, errors[1], 2), "posix_spawn_file_actions_adddup2");
            AddCloseFrom(actions);

            int pid;
            var error = Spawn(&pid, strings.Argv[0], actions, attributes, strings.Argv, strings.Envp);
            if (error != 0)
            {
                throw new Win32Exception(error, $"cannot start {argv[0]} in {workingDirectory}: {new Win32Exception(error).Message}");
            }

            var started = new Started(pid, output[0], errors[0]);
            output[0] = errors[0] = -1;
            return started;
        }
        finally
        {
            // The write ends are the child's now; a read end is closed here only when nothing was started.
            CloseIfOpen(output[1]);
            CloseIfOpen(errors[1]);
            CloseIfOpen(output[0]);
            CloseIfOpen(errors[0]);
            if (actionsReady)
            {
                _ = FileActionsDestroy(actions);
            }

            if (attributesReady)
            {
                _ = SpawnAttrDestroy(attributes);
            }

            NativeMemory.Free(signals);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            strings.Dispose();
        }
    }

    // glibc 2.34 and later; on an older one a step keeps what it kept before.
    private static bool _closeFromMissing;

    /// <summary>Every descriptor above stderr closes in the child: what this process inherited without close-on-exec
    /// from whoever started it (a shell's, a supervisor's, a socket a service manager passed) is not the step's.</summary>
    private static void AddCloseFrom(void* actions)
    {
        if (_closeFromMissing)
        {
            return;
        }

        try
        {
            Check(FileActionsAddCloseFrom(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
        }
        catch (EntryPointNotFoundException)
        {
            _closeFromMissing = true;
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new Win32Exception(error, $"{call} failed: {new Win32Exception(error).Message}");
        }
    }

    private static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }

    /// <summary>argv, envp and the paths as NUL-terminated UTF-8 in one native block, with the two pointer arrays.</summary>
    private readonly struct StringBlock : IDisposable
    {
        private readonly byte* _block;

        private StringBlock(byte* block, byte** argv, byte** envp, byte* workingDirectory, byte* devNull)
        {
            _block = block;
            Argv = argv;
            Envp = envp;
            WorkingDirectory = workingDirectory;
            DevNull = devNull;
        }

        public byte** Argv { get; }

        public byte** Envp { get; }

        public byte* WorkingDirectory { get; }

        public byte* DevNull { get; }

        public static StringBlock Create(IReadOnlyList<string> argv, List<string> envp, string workingDirectory)
        {
            const string devNull = "/dev/null";
            var pointers = (argv.Count + 1 + envp.Count + 1) * sizeof(byte*);
            var bytes = Encoding.UTF8.GetByteCount(workingDirectory) + 1 + devNull.Length + 1;
            foreach (var text in argv)
            {
                bytes += Encoding.UTF8.GetByteCount(text) + 1;
            }

            foreach (var text in envp)
            {
                bytes += Encoding.UTF8.GetByteCount(text) + 1;
            }

            var block = (byte*)NativeMemory.Alloc((nuint)(pointers + bytes));
            var table = (byte**)block;
            var next = block + pointers;
            var end = block + pointers + bytes;

            byte* Put(string text)
            {
                var start = next;
                var written = Encoding.UTF8.GetBytes(text, new Span<byte>(next, (int)(end - next)));
                next[written] = 0;
                next += written + 1;
                return start;
            }

            var argvTable = table;
            for (var i = 0; i < argv.Count; i++)
            {
                argvTable[i] = Put(argv[i]);
            }

            argvTable[argv.Count] = null;
            var envpTable = table + argv.Count + 1;
            for (var i = 0; i < envp.Count; i++)
            {
                envpTable[i] = Put(envp[i]);
            }

            envpTable[envp.Count] = null;
            return new StringBlock(block, argvTable, envpTable, Put(workingDirectory), Put(devNull));
        }

        public void Dispose() => NativeMemory.Free(_block);
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int Spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int SpawnAttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int SpawnAttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int SpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int SpawnAttrSetSignalDefaults(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int SpawnAttrSetSignalMask(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static partial int FileActionsAddChdir(void* actions, byte* path);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    private static partial int FileActionsAddCloseFrom(void* actions, int from);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int FileActionsAddOpen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "sigfillset", SetLastError = true)]
    private static partial int SignalFillSet(void* set);

    [LibraryImport("libc", EntryPoint = "sigemptyset", SetLastError = true)]
    private static partial int SignalEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);
}
