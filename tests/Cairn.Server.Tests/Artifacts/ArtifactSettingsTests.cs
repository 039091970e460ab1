using Cairn.Core.Artifacts;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Artifacts;

/// <summary>The artifact store's flags: their defaults, a bad store or size named with its flag, and the S3 secret key
/// read from its file or the environment and never repeated.</summary>
public sealed class ArtifactSettingsTests
{
    private const string SecretKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void Defaults_AreTheDataDirectoryAndTheDocumentedLimits()
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), new Dictionary<string, string?>()), "/tmp");
        Assert.Empty(errors);
        Assert.False(settings!.Artifacts.IsS3);
        Assert.Equal(ArtifactSettings.Default, settings.Artifacts.Limits);
        Assert.Equal(TimeSpan.FromDays(30), settings.Artifacts.Limits.DefaultExpiry);
        Assert.Null(settings.Artifacts.PathStyle);
    }

    [Fact]
    public void PathStyle_Unset_IsLeftToTheBlobStore_WhichAddressesANamedEndpointByPath()
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(
            null,
            new Dictionary<string, string?>(),
            new Dictionary<string, string?> { ["ArtifactStore"] = "s3://ci-artifacts/cairn", ["S3Endpoint"] = "http://minio.internal:9000" }), "/tmp");

        Assert.Empty(errors);
        Assert.Null(settings!.Artifacts.PathStyle);
        using var client = Cairn.Storage.Blobs.S3BlobStore.CreateClient(new Cairn.Storage.Blobs.BlobStoreSettings(
            settings.Artifacts.Store, settings.Artifacts.Endpoint, settings.Artifacts.Region, "id", "key", settings.Artifacts.PathStyle));
        Assert.True(((Amazon.S3.AmazonS3Config)client.Config).ForcePathStyle);
    }

    [Fact]
    public void S3Store_TakesItsFlags_AndTheSecretFromItsFile()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("s3.key", SecretKey + "\n");
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(
            null,
            new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV" },
            new Dictionary<string, string?>
            {
                ["ArtifactStore"] = "s3://ci-artifacts/cairn/prod", ["S3Endpoint"] = "http://127.0.0.1:4568", ["S3Region"] = "eu-west-1",
                ["S3SecretAccessKeyFile"] = "s3.key", ["S3PathStyle"] = "true", ["ArtifactExpiry"] = "14d", ["ArtifactMaxJobSize"] = "1GiB",
                ["CacheMaxRepositorySize"] = "2GiB",
            }), dir.Path);

        Assert.Empty(errors);
        var artifacts = settings!.Artifacts;
        Assert.Equal("s3://ci-artifacts/cairn/prod", artifacts.Store);
        Assert.Equal("AKIAENV", artifacts.AccessKeyId);
        Assert.Equal(SecretKey, artifacts.SecretAccessKey);
        Assert.True(artifacts.PathStyle);
        Assert.Equal(new ArtifactSettings(TimeSpan.FromDays(14), 1L << 30, 50L << 30, 2L << 30), artifacts.Limits);
        Assert.DoesNotContain(SecretKey, artifacts.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretKey_ComesFromTheEnvironment_AndNoFlagTakesIt()
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(
            null, new Dictionary<string, string?> { ["AWS_SECRET_ACCESS_KEY"] = SecretKey },
            new Dictionary<string, string?> { ["ArtifactStore"] = "s3://bucket" }), "/tmp");
        Assert.Empty(errors);
        Assert.Equal(SecretKey, settings!.Artifacts.SecretAccessKey);
        Assert.DoesNotContain(ServerSettings.Names, n => n.Option == "--s3-secret-access-key");
    }

    [Fact]
    public void BadValues_AreNamedWithTheirFlag_AndNeverEchoTheSecret()
    {
        using var dir = new TempDirectory();
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(
            null, new Dictionary<string, string?> { ["AWS_SECRET_ACCESS_KEY"] = SecretKey },
            new Dictionary<string, string?>
            {
                ["ArtifactStore"] = "ftp://somewhere", ["S3Endpoint"] = "not an address", ["S3PathStyle"] = "maybe",
                ["ArtifactMaxJobSize"] = "huge", ["ArtifactExpiry"] = "later", ["S3SecretAccessKeyFile"] = "missing.key",
            }), dir.Path);

        Assert.Null(settings);
        Assert.Contains(errors, e => e.StartsWith("--artifact-store / CAIRN_ARTIFACT_STORE / Cairn:ArtifactStore: 'ftp://somewhere' is not an artifact store", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--s3-endpoint", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--s3-path-style", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--artifact-max-job-size", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--artifact-expiry", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--s3-secret-access-key-file", StringComparison.Ordinal) && e.Contains("missing.key", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain(SecretKey, e, StringComparison.Ordinal));

        var (_, prefixErrors) = ServerSettings.Bind(ServerSettings.Compose(
            null, new Dictionary<string, string?>(), new Dictionary<string, string?> { ["ArtifactStore"] = "s3://bucket/../up" }), "/tmp");
        Assert.Single(prefixErrors);
    }
}
