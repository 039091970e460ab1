using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>Where the real engines are, from the environment that <c>.ci/run</c> (or a developer) sets up.
/// A test that needs one is gated by an attribute below: without the engine it is skipped, saying why;
/// under CI, <c>.ci/run</c> fails the build if any gated test was skipped.</summary>
public static class Engines
{
    /// <summary>An Npgsql connection string to a server where the tests may create databases.</summary>
    public static string? Postgres => Environment.GetEnvironmentVariable("CAIRN_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    /// <summary>A Docker Engine API endpoint (Podman's service serves it), e.g. unix:///run/cairn-podman.sock.</summary>
    public static string? ContainerEngine => Environment.GetEnvironmentVariable("CAIRN_TEST_DOCKER_HOST") is { Length: > 0 } value ? value : null;

    /// <summary>A small local image the tests may run, imported by .ci/engines.sh.</summary>
    public static string TestImage => Environment.GetEnvironmentVariable("CAIRN_TEST_IMAGE") is { Length: > 0 } value ? value : "localhost/cairn-test/busybox:1";
}

/// <summary>A fact that needs PostgreSQL (CAIRN_TEST_POSTGRES).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.Postgres is null)
        {
            Skip = "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)";
        }
    }
}

/// <summary>A theory that needs PostgreSQL (CAIRN_TEST_POSTGRES).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.Postgres is null)
        {
            Skip = "needs PostgreSQL: set CAIRN_TEST_POSTGRES to an Npgsql connection string (.ci/engines.sh starts one)";
        }
    }
}

/// <summary>A fact that needs a Docker-API container engine (CAIRN_TEST_DOCKER_HOST).</summary>
public sealed class ContainerEngineFactAttribute : FactAttribute
{
    public ContainerEngineFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.ContainerEngine is null)
        {
            Skip = "needs a container engine: set CAIRN_TEST_DOCKER_HOST to its Docker API socket (.ci/engines.sh starts Podman's)";
        }
    }
}

/// <summary>A fact that drives a real browser: Debian's Chromium at /usr/bin/chromium (<c>.ci/run</c> installs it).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            Skip = "Chromium is not installed at /usr/bin/chromium";
        }
    }
}

/// <summary>A fact that needs this test process to run as root (starting steps as another user); CI runs as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: it starts steps as another user (CI runs as root)";
        }
    }
}
