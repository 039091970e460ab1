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
    /// <summary>The Chromium the browser tests drive (Debian's package; CAIRN_TEST_CHROMIUM names another).</summary>
    public static string Chromium => Environment.GetEnvironmentVariable("CAIRN_TEST_CHROMIUM") is { Length: > 0 } value ? value : "/usr/bin/chromium";

    /// <summary>Node, for the OpenID provider (CAIRN_TEST_NODE names another); null when none is on PATH.</summary>
    public static string? Node =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_NODE") is { Length: > 0 } node
            ? node
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, "node"))
                .FirstOrDefault(File.Exists);

    /// <summary>Where <c>npm install --prefix DIR oidc-provider</c> put the OpenID provider (CAIRN_OIDC_PROVIDER_DIR,
    /// which .ci/run sets; default a folder under the user's cache).</summary>
    public static string OidcProviderDirectory =>
        Environment.GetEnvironmentVariable("CAIRN_OIDC_PROVIDER_DIR") is { Length: > 0 } folder
            ? folder
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                    ? cache
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "cairn", "oidc-provider");

    /// <summary>The script that starts the provider, copied beside the tests that use it.</summary>
    public static string OidcProviderScript => Path.Combine(AppContext.BaseDirectory, "oidc", "provider.mjs");

    /// <summary>Why the OpenID provider cannot start here; null when it can.</summary>
    public static string? OidcProviderMissing =>
        Node is null ? "needs Node (node on PATH, or CAIRN_TEST_NODE)"
        : !File.Exists(Path.Combine(OidcProviderDirectory, "node_modules", "oidc-provider", "package.json"))
            ? $"needs the npm package oidc-provider in {OidcProviderDirectory}: npm install --prefix {OidcProviderDirectory} oidc-provider (.ci/run does), or set CAIRN_OIDC_PROVIDER_DIR"
        : !File.Exists(OidcProviderScript) ? $"needs {OidcProviderScript} beside the tests (copied from tests/Shared/oidc)"
        : null;

    /// <summary>A kubeconfig for a real Kubernetes cluster the tests may make pods in (kind works).</summary>
    public static string? Kubeconfig => Environment.GetEnvironmentVariable("CAIRN_TEST_KUBECONFIG") is { Length: > 0 } value ? value : null;

    /// <summary>The namespace the Kubernetes tests use (CAIRN_TEST_KUBERNETES_NAMESPACE; default <c>default</c>).</summary>
    public static string KubernetesNamespace =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_KUBERNETES_NAMESPACE") is { Length: > 0 } value ? value : "default";

    /// <summary>The image the Kubernetes tests run steps in (CAIRN_TEST_KUBERNETES_IMAGE; default busybox).</summary>
    public static string KubernetesImage =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_KUBERNETES_IMAGE") is { Length: > 0 } value ? value : "busybox:1.36";

    /// <summary>A kubectl binary (CAIRN_TEST_KUBECTL), for checking that kubectl reads the manifests Cairn writes.</summary>
    public static string? Kubectl => Environment.GetEnvironmentVariable("CAIRN_TEST_KUBECTL") is { Length: > 0 } value ? value : null;

    /// <summary>Where <c>npm install --prefix DIR s3rver</c> put the S3 stand-in (CAIRN_S3RVER_DIR, which .ci/run sets);
    /// null when unset.</summary>
    public static string? S3rverDirectory => Environment.GetEnvironmentVariable("CAIRN_S3RVER_DIR") is { Length: > 0 } value ? value : null;

    /// <summary>Why the S3 stand-in cannot start here; null when it can.</summary>
    public static string? S3rverMissing =>
        S3rverDirectory is not { } folder
            ? "needs s3rver: npm install --prefix DIR s3rver and set CAIRN_S3RVER_DIR to DIR (.ci/run does)"
        : !File.Exists(Path.Combine(folder, "node_modules", ".bin", "s3rver"))
            ? $"needs s3rver in {folder}: npm install --prefix {folder} s3rver (.ci/run does)"
        : null;

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

/// <summary>A fact that drives a real browser: Chromium at <see cref="Engines.Chromium"/> (.ci/run installs Debian's).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!File.Exists(Engines.Chromium))
        {
            Skip = $"needs Chromium at {Engines.Chromium}: apt-get install chromium (.ci/run installs it), or set CAIRN_TEST_CHROMIUM";
        }
    }
}

/// <summary>A fact that needs the real OpenID provider: Node and the npm package <c>oidc-provider</c> (.ci/run installs it).</summary>
public sealed class OidcFactAttribute : FactAttribute
{
    public OidcFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.OidcProviderMissing is { } missing)
        {
            Skip = missing;
        }
    }
}

/// <summary>A fact that signs a person in at the real OpenID provider in a real browser: what <see cref="OidcFactAttribute"/>
/// and <see cref="BrowserFactAttribute"/> each need.</summary>
public sealed class OidcBrowserFactAttribute : FactAttribute
{
    public OidcBrowserFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.OidcProviderMissing is { } missing)
        {
            Skip = missing;
        }
        else if (!File.Exists(Engines.Chromium))
        {
            Skip = $"needs Chromium at {Engines.Chromium}: apt-get install chromium (.ci/run installs it), or set CAIRN_TEST_CHROMIUM";
        }
    }
}

/// <summary>A fact that needs a real Kubernetes cluster (CAIRN_TEST_KUBECONFIG).</summary>
public sealed class KubernetesFactAttribute : FactAttribute
{
    public KubernetesFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.Kubeconfig is null)
        {
            Skip = "needs a Kubernetes cluster, and none can run on these machines: set CAIRN_TEST_KUBECONFIG to a cluster's kubeconfig (kind works; see docs/operations.md)";
        }
    }
}

/// <summary>A fact that needs kubectl (CAIRN_TEST_KUBECTL); no cluster.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.Kubectl is null)
        {
            Skip = "needs kubectl: set CAIRN_TEST_KUBECTL to a kubectl binary (no cluster is used; .ci/run unpacks one)";
        }
    }
}

/// <summary>A fact that needs the S3 stand-in s3rver (CAIRN_S3RVER_DIR; .ci/run installs it).</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Engines.S3rverMissing is { } missing)
        {
            Skip = missing;
        }
    }
}
