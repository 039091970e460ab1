using System.Globalization;
using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>A directory only this user can write or read, as a shared temp directory must be checked before it is
/// trusted: another user may have made it first (owning it, or leaving it open to all), or left a symbolic link there
/// pointing at a directory of ours. Created with mode 0700; used only when it is a real directory, ours, with no
/// permission for anyone else.</summary>
internal static unsafe partial class PrivateDirectory
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int LinkType = 0xA000;
    private const int NoSuchFile = 2;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>This process's effective user id: whose files it makes, whose processes it may signal.</summary>
    public static uint EffectiveUserId => GetEffectiveUserId();

    /// <summary>Makes <paramref name="path"/> (mode 0700) unless it exists; null when it may be used, otherwise why not.</summary>
    public static string? Ensure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return "a private directory is made only on Unix";
        }

        try
        {
            Directory.CreateDirectory(path, OwnerOnly);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{path} cannot be made: {ex.Message}";
        }

        return Check(path);
    }

    /// <summary>Null when <paramref name="path"/> is a directory (not a link to one) that this user owns and nobody else
    /// may use; otherwise why it is not to be trusted, as a sentence.</summary>
    public static string? Check(string path)
    {
        // statx has one layout on every Linux architecture, unlike struct stat: uid at 20, mode at 28 of 256 bytes.
        var buffer = stackalloc byte[256];
        int result;
        try
        {
            result = Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, buffer);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return $"{path} cannot be checked here (no statx): who owns it is unknown";
        }

        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == NoSuchFile ? $"{path} does not exist" : $"{path} cannot be checked (errno {error})";
        }

        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        var me = EffectiveUserId;
        return (mode & FileTypeMask) switch
        {
            LinkType => $"{path} is a symbolic link, not a directory of its own",
            not DirectoryType => $"{path} is not a directory",
            _ when uid != me => string.Create(CultureInfo.InvariantCulture, $"{path} belongs to user {uid}, not to this user ({me})"),
            _ when (mode & 0x3F) != 0 => string.Create(CultureInfo.InvariantCulture, $"{path} is open to other users (mode {Convert.ToString(mode & 0x1FF, 8)}; it must be 700)"),
            _ => null,
        };
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
