using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>What a path is, asked without following a symbolic link at its last component.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A device, FIFO or socket: never archived, never made.</summary>
    Other,
}

/// <summary>lstat for paths: .NET's file APIs tell links from directories but not a FIFO or device from a regular
/// file, and opening a FIFO to find out would block. <c>statx</c>'s buffer has one layout on every architecture.</summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxInode = 0x100;
    private const int InodeOffset = 32;
    private const int DeviceMajorOffset = 136;
    private const int DeviceMinorOffset = 140;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int BufferSize = 256;
    private const int NoEntry = 2;
    private const int NotDirectory = 20;

    /// <summary>The kind of <paramref name="path"/>; <see cref="FileKind.Missing"/> when it (or a folder on its way) is not there.</summary>
    public static unsafe FileKind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Portable(path);
        }

        var buffer = stackalloc byte[BufferSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is NoEntry or NotDirectory
                ? FileKind.Missing
                : throw new IOException($"could not look at '{path}': {Marshal.GetPInvokeErrorMessage(error)}");
        }

        var mode = *(ushort*)(buffer + ModeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
    }

    /// <summary>Whether <paramref name="opened"/> is the regular file <paramref name="path"/> still names, unfollowed:
    /// false when the path was swapped for a link (or anything else) between looking at it and opening it.</summary>
    public static unsafe bool IsStill(string path, Microsoft.Win32.SafeHandles.SafeFileHandle opened)
    {
        ArgumentNullException.ThrowIfNull(opened);
        if (!OperatingSystem.IsLinux())
        {
            return Portable(path) == FileKind.Regular;
        }

        var byPath = stackalloc byte[BufferSize];
        var byHandle = stackalloc byte[BufferSize];
        var added = false;
        try
        {
            opened.DangerousAddRef(ref added);
            var fd = (int)opened.DangerousGetHandle();
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxInode, byPath) != 0
                || Statx(fd, "", AtEmptyPath, StatxType | StatxInode, byHandle) != 0)
            {
                return false;
            }
        }
        finally
        {
            if (added)
            {
                opened.DangerousRelease();
            }
        }

        return (*(ushort*)(byHandle + ModeOffset) & 0xF000) == 0x8000
            && *(ushort*)(byPath + ModeOffset) == *(ushort*)(byHandle + ModeOffset)
            && *(ulong*)(byPath + InodeOffset) == *(ulong*)(byHandle + InodeOffset)
            && *(uint*)(byPath + DeviceMajorOffset) == *(uint*)(byHandle + DeviceMajorOffset)
            && *(uint*)(byPath + DeviceMinorOffset) == *(uint*)(byHandle + DeviceMinorOffset);
    }

    private static FileKind Portable(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        return Directory.Exists(path) ? FileKind.Directory : info.Exists ? FileKind.Regular : FileKind.Missing;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
