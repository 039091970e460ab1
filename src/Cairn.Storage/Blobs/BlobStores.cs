using Cairn.Core.Artifacts;

namespace Cairn.Storage.Blobs;

/// <summary>Opens the blob store a server's settings name.</summary>
public static class BlobStores
{
    /// <summary>The data directory's <c>blobs</c> folder when <see cref="BlobStoreSettings.Store"/> is empty; the bucket of
    /// <c>s3://bucket/prefix</c> otherwise.</summary>
    /// <exception cref="StoreConfigurationException">The store is neither, or its endpoint is not an http(s) address; the
    /// message says what to fix, and repeats no value that may hold a secret.</exception>
    public static IBlobStore Open(BlobStoreSettings settings, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (string.IsNullOrEmpty(settings.Store))
        {
            return new FileSystemBlobStore(Path.Combine(dataDirectory, "blobs"));
        }

        var (bucket, prefix) = ParseS3(settings.Store);
        if (!string.IsNullOrEmpty(settings.Endpoint)
            && (!Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(endpoint.UserInfo)))
        {
            throw new StoreConfigurationException("the artifact store's endpoint must be an http:// or https:// address, without a user or password in it");
        }

        return new S3BlobStore(S3BlobStore.CreateClient(settings), bucket, prefix);
    }

    private static (string Bucket, string Prefix) ParseS3(string store)
    {
        const string Scheme = "s3://";
        const string Refusal =
            "the artifact store must be left empty (blobs in the data directory) or be s3://bucket or s3://bucket/prefix, "
            + "the bucket of lower-case letters, digits, '.' and '-', the prefix of lower-case letters, digits, '.', '_', '-' and '/'";
        if (!store.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new StoreConfigurationException(Refusal);
        }

        var rest = store[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length is < 3 or > 63 || bucket.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')))
        {
            throw new StoreConfigurationException(Refusal);
        }

        if (prefix.Length > 0)
        {
            try
            {
                BlobKeyRules.Check(prefix);
            }
            catch (ArgumentException)
            {
                throw new StoreConfigurationException(Refusal);
            }
        }

        return (bucket, prefix);
    }
}
