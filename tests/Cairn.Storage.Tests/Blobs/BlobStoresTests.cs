using Cairn.Storage.Blobs;

namespace Cairn.Storage.Tests.Blobs;

/// <summary>Which blob store the settings open, and the refusals of what they cannot mean.</summary>
public sealed class BlobStoresTests
{
    [Fact]
    public void NoStore_IsTheDataDirectorysBlobsFolder()
    {
        using var data = new TempDirectory();

        var store = BlobStores.Open(new BlobStoreSettings(null, null, null, null, null, null), data.Path);

        Assert.IsType<FileSystemBlobStore>(store);
        Assert.Equal("the data directory", store.Description);
    }

    [Theory]
    [InlineData("s3://artifacts", "s3://artifacts")]
    [InlineData("s3://artifacts/cairn/prod/", "s3://artifacts/cairn/prod")]
    public void AnS3Address_IsABucket_DescribedWithoutItsCredentials(string address, string description)
    {
        var store = BlobStores.Open(
            new BlobStoreSettings(address, "http://127.0.0.1:9000", "eu-west-1", "AKIDEXAMPLE", "wJalrXUtnFEMI-secret", null), "/nowhere");

        var s3 = Assert.IsType<S3BlobStore>(store);
        Assert.Equal(description, s3.Description);
        s3.Dispose();
    }

    [Theory]
    [InlineData("/var/lib/blobs")]
    [InlineData("gs://bucket")]
    [InlineData("s3://")]
    [InlineData("s3://Bucket")]
    [InlineData("s3://user:secret-value@bucket")]
    [InlineData("s3://bucket/../x")]
    public void AnythingElse_IsRefused_WithASentenceThatRepeatsNoValue(string address)
    {
        var error = Assert.Throws<StoreConfigurationException>(
            () => BlobStores.Open(new BlobStoreSettings(address, null, null, null, null, null), "/nowhere"));

        Assert.Contains("s3://bucket/prefix", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEndpoint_ThatIsNotAnHttpAddress_IsRefused()
    {
        var error = Assert.Throws<StoreConfigurationException>(
            () => BlobStores.Open(new BlobStoreSettings("s3://bucket", "ftp://user:secret-value@host", null, null, null, null), "/nowhere"));

        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSettingsText_LeavesTheSecretOut()
    {
        var settings = new BlobStoreSettings("s3://bucket", null, null, "AKIDEXAMPLE", "wJalrXUtnFEMI-secret", true);

        Assert.DoesNotContain("wJalrXUtnFEMI-secret", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("s3://bucket", settings.ToString(), StringComparison.Ordinal);
    }
}
