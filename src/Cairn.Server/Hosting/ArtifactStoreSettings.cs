using System.Text.RegularExpressions;
using Cairn.Core.Artifacts;
using Cairn.Core.Pipelines;

namespace Cairn.Server.Hosting;

/// <summary>Where a server keeps artifacts and caches, and its limits: the data directory (<see cref="Store"/> empty) or an
/// S3-compatible bucket (<c>s3://bucket/prefix</c>) with its endpoint, region and credentials. The secret key is read from
/// a file or from <c>AWS_SECRET_ACCESS_KEY</c>, never from the command line, and is never printed.</summary>
public sealed partial record ArtifactStoreSettings(
    string Store, string? Endpoint, string? Region, string? AccessKeyId, string? SecretAccessKey, bool? PathStyle, ArtifactSettings Limits)
{
    public static ArtifactStoreSettings DataDirectory { get; } = new("", null, null, null, null, false, ArtifactSettings.Default);

    /// <summary>True when the blobs go to an S3-compatible bucket.</summary>
    public bool IsS3 => Store.Length > 0;

    /// <summary>The settings' keys (in the Cairn section), variables and options, in the form of ServerSettings.Names.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("ArtifactStore", "CAIRN_ARTIFACT_STORE", "--artifact-store"),
        ("S3Endpoint", "CAIRN_S3_ENDPOINT", "--s3-endpoint"),
        ("S3Region", "CAIRN_S3_REGION", "--s3-region"),
        ("S3AccessKeyId", "CAIRN_S3_ACCESS_KEY_ID", "--s3-access-key-id"),
        ("S3SecretAccessKeyFile", "CAIRN_S3_SECRET_ACCESS_KEY_FILE", "--s3-secret-access-key-file"),
        ("S3PathStyle", "CAIRN_S3_PATH_STYLE", "--s3-path-style"),
        ("ArtifactExpiry", "CAIRN_ARTIFACT_EXPIRY", "--artifact-expiry"),
        ("ArtifactMaxJobSize", "CAIRN_ARTIFACT_MAX_JOB_SIZE", "--artifact-max-job-size"),
        ("ArtifactMaxRepositorySize", "CAIRN_ARTIFACT_MAX_REPOSITORY_SIZE", "--artifact-max-repository-size"),
        ("CacheMaxRepositorySize", "CAIRN_CACHE_MAX_REPOSITORY_SIZE", "--cache-max-repository-size"),
    ];

    /// <summary>The S3 clients' own variables, read as the settings' keys when neither a flag nor a <c>CAIRN_*</c> variable
    /// gives them: no option names them (the secret is never a command-line argument).</summary>
    public static IReadOnlyList<(string Key, string Variable)> Ambient { get; } =
    [
        ("S3AccessKeyId", "AWS_ACCESS_KEY_ID"),
        ("S3SecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
    ];

    /// <summary>The <see cref="Ambient"/> variables <paramref name="environment"/> sets, as keys of the section.</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> AmbientValues(IReadOnlyDictionary<string, string?> environment, string section) =>
        Ambient.Where(n => environment.TryGetValue(n.Variable, out var v) && !string.IsNullOrEmpty(v))
            .Select(n => KeyValuePair.Create($"{section}:{n.Key}", environment[n.Variable]));

    internal static ArtifactStoreSettings Bind(Func<string, string?> get, Action<string, string> fail, string workingDirectory)
    {
        var store = get("ArtifactStore") ?? "";
        if (store.Length > 0 && !IsBucketUrl(store))
        {
            fail("ArtifactStore", $"'{store}' is not an artifact store: leave it empty for the data directory, or say s3://BUCKET/PREFIX (a bucket of 3 to 63 lower-case letters, digits, '.' and '-'; a prefix of lower-case letters, digits, '.', '_', '-' and '/')");
        }

        var endpoint = get("S3Endpoint");
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            fail("S3Endpoint", $"'{endpoint}' is not an http:// or https:// address of an S3-compatible service");
        }

        // Unset: path style exactly when an endpoint is named (a self-hosted store), as the blob store decides.
        bool? pathStyle = null;
        if (get("S3PathStyle") is { } styleText)
        {
            if (bool.TryParse(styleText, out var style))
            {
                pathStyle = style;
            }
            else
            {
                fail("S3PathStyle", $"'{styleText}' is neither true nor false");
            }
        }

        var secret = get("S3SecretAccessKey");
        if (get("S3SecretAccessKeyFile") is { } secretFile)
        {
            var path = Path.GetFullPath(secretFile, workingDirectory);
            try
            {
                secret = File.ReadAllText(path).Trim();
                if (secret.Length == 0)
                {
                    fail("S3SecretAccessKeyFile", $"the file {path} is empty");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                fail("S3SecretAccessKeyFile", $"the file {path} cannot be read ({ex.GetType().Name})");
            }
        }

        var defaults = ArtifactSettings.Default;
        var expiry = defaults.DefaultExpiry;
        if (get("ArtifactExpiry") is { } expiryText && (!Duration.TryParse(expiryText, out expiry, out _) || expiry <= TimeSpan.Zero))
        {
            fail("ArtifactExpiry", $"'{expiryText}' is not a positive duration (like 30d or 12h)");
        }

        long Size(string key, long fallback)
        {
            if (get(key) is not { } text)
            {
                return fallback;
            }

            if (ByteSize.TryParse(text, out var bytes) && bytes > 0)
            {
                return bytes;
            }

            fail(key, $"'{text}' is not a size above 0 (like 4GiB, 500MiB, or a number of bytes)");
            return fallback;
        }

        var limits = new ArtifactSettings(
            expiry, Size("ArtifactMaxJobSize", defaults.MaxJobBytes), Size("ArtifactMaxRepositorySize", defaults.MaxRepositoryBytes),
            Size("CacheMaxRepositorySize", defaults.MaxCacheBytes));
        return new ArtifactStoreSettings(store, endpoint, get("S3Region"), get("S3AccessKeyId"), secret, pathStyle, limits);
    }

    /// <summary>Says where and how, never the secret key.</summary>
    public override string ToString() =>
        $"ArtifactStoreSettings {{ Store = {(IsS3 ? Store : "data directory")}, Endpoint = {Endpoint}, Region = {Region}, AccessKeyId = {AccessKeyId}, " +
        $"SecretAccessKey = {(SecretAccessKey is null ? "none" : "set")}, PathStyle = {(PathStyle is { } style ? style.ToString() : "when an endpoint is named")}, Limits = {Limits} }}";

    private static bool IsBucketUrl(string text)
    {
        if (!text.StartsWith("s3://", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = text["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        return BucketName().IsMatch(bucket) && PrefixName().IsMatch(prefix) && !prefix.Split('/').Any(p => p is "." or "..");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();

    [GeneratedRegex("^[a-z0-9._/-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixName();
}
