using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>A user of this host steps may run as: its name, uid and primary gid, as the name service knows them
/// (<c>getent passwd</c>, so users from LDAP and the like count too).</summary>
public sealed partial record UnixAccount(string Name, uint Uid, uint Gid)
{
    /// <summary>The dedicated account docs/security.md shows how to make; <see cref="Fallback"/> when there is none.</summary>
    public const string Dedicated = "cairn-job";

    /// <summary>The account every Linux host has, owning nothing.</summary>
    public const string Fallback = "nobody";

    private static readonly ConcurrentDictionary<string, UnixAccount?> Known = new(StringComparer.Ordinal);

    /// <summary>Whether this process runs as root, and so may start steps as another user.</summary>
    public static bool ProcessIsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>The effective uid of this process.</summary>
    public static uint ProcessUid => OperatingSystem.IsWindows() ? 0 : GetEffectiveUid();

    /// <summary>The account of <paramref name="nameOrUid"/>, or null when this host has no such user.</summary>
    public static UnixAccount? Find(string nameOrUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrUid);
        if (nameOrUid.StartsWith('-') || nameOrUid.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ':'))
        {
            return null;
        }

        return Known.GetOrAdd(nameOrUid, Lookup);
    }

    /// <summary>The account steps run as when nothing names one: <see cref="Dedicated"/> if this host has it, else <see cref="Fallback"/>.</summary>
    public static UnixAccount? Default() => Find(Dedicated) ?? Find(Fallback);

    private static UnixAccount? Lookup(string nameOrUid)
    {
        try
        {
            using var getent = Process.Start(new ProcessStartInfo("getent", ["passwd", nameOrUid])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (getent is null)
            {
                return null;
            }

            var line = getent.StandardOutput.ReadLine();
            getent.WaitForExit();
            return getent.ExitCode == 0 && line is not null ? Parse(line) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Reads one line of the passwd database: <c>name:x:uid:gid:gecos:home:shell</c>.</summary>
    internal static UnixAccount? Parse(string line)
    {
        var fields = line.Split(':');
        return fields.Length >= 4
            && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
            ? new UnixAccount(fields[0], uid, gid)
            : null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();
}
