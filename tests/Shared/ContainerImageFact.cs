using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>A fact that runs Cairn's own image with Podman: it needs root, podman and debootstrap (Debian's packages:
/// deploy/docker/build-local.sh builds the image with them when it is missing) and CAIRN_TEST_CAIRN_IMAGE, the tag
/// of the image to run (build-local.sh's default is <c>localhost/cairn:dev</c>).</summary>
public sealed class ContainerImageFactAttribute : FactAttribute
{
    public ContainerImageFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = Missing;
    }

    /// <summary>The image's tag (CAIRN_TEST_CAIRN_IMAGE), or null.</summary>
    public static string? Image => Environment.GetEnvironmentVariable("CAIRN_TEST_CAIRN_IMAGE") is { Length: > 0 } value ? value : null;

    /// <summary>Why the image cannot be built and run here; null when it can.</summary>
    public static string? Missing =>
        OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess ? "needs root: it builds and runs Cairn's image with rootful Podman (CI runs as root)"
        : OnPath("podman") is null ? "needs podman (apt-get install podman; .ci/engines.sh sets it up)"
        : OnPath("debootstrap") is null ? "needs debootstrap (apt-get install debootstrap): deploy/docker/build-local.sh makes the image's Debian base with it"
        : Image is null ? "needs CAIRN_TEST_CAIRN_IMAGE: the tag deploy/docker/build-local.sh builds (e.g. localhost/cairn:dev; built here when missing)"
        : null;

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
