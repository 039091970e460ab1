using System.Runtime.InteropServices;

namespace Cairn.Executors.Shell;

/// <summary>What a server or worker does to itself so that the steps it starts cannot read it.</summary>
public static partial class HostProcess
{
    private const int PrSetDumpable = 4;

    /// <summary>Makes this process undumpable: its <c>/proc/PID/environ</c>, memory and file descriptors can then be read
    /// only by root, not by processes of the same user (a step running as this user, say). Returns false where the
    /// kernel does not allow it (not Linux).</summary>
    public static bool MakeUndumpable() => OperatingSystem.IsLinux() && Prctl(PrSetDumpable, 0, 0, 0, 0) == 0;

    /// <summary>Variables the processes a server or worker starts itself (git, its orphan sentinel, the container
    /// engine's client) may need: where programs are, locale, proxies and certificates for fetching, the engine's
    /// address, the runtime's own settings. Every other variable of its environment is for steps to ask for by name
    /// (<c>--pass-env</c>), never for its children to inherit.</summary>
    private static readonly string[] KeptNames =
    [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM", "NO_COLOR",
        "DOCKER_HOST", "KUBECONFIG", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
        "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "all_proxy",
    ];

    private static readonly string[] KeptPrefixes = ["LC_", "DOTNET_", "ASPNETCORE_"];

    /// <summary>Strips this process's environment down to what the processes it starts itself need (see
    /// <see cref="KeptNames"/>), after keeping a copy for steps' <c>pass-env</c>. The kernel's copy made at exec stays:
    /// see <see cref="MakeUndumpable"/>.</summary>
    public static void KeepOnlyWhatChildrenNeed()
    {
        foreach (var name in Core.Execution.StepEnvironmentPolicy.Capture().Keys)
        {
            var kept = KeptNames.Contains(name, StringComparer.Ordinal) || KeptPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
            if (!kept)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    /// <summary>Gives <paramref name="path"/> (not following a symbolic link) to the user and group.</summary>
    internal static bool Chown(string path, uint uid, uint gid) => Lchown(path, uid, gid) == 0;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lchown(string path, uint owner, uint group);
}
