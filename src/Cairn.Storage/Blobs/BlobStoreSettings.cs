using System.Text;

namespace Cairn.Storage.Blobs;

/// <summary>Where artifacts and caches are kept, as a server's flags say (<c>--artifact-store</c> and the rest).</summary>
/// <param name="Store">Null or empty: the data directory; <c>s3://bucket</c> or <c>s3://bucket/prefix</c>: an
/// S3-compatible bucket.</param>
/// <param name="Endpoint">The bucket's service address (<c>https://…</c>) when it is not AWS; null: AWS in <paramref name="Region"/>.</param>
/// <param name="Region">The bucket's region; null: <c>us-east-1</c>.</param>
/// <param name="AccessKeyId">Null: <c>AWS_ACCESS_KEY_ID</c> from the environment.</param>
/// <param name="SecretAccessKey">Null: <c>AWS_SECRET_ACCESS_KEY</c> from the environment. Never printed: this record's
/// text leaves it out.</param>
/// <param name="PathStyle">Address the bucket in the path rather than the host name; null: when an endpoint is given.</param>
public sealed record BlobStoreSettings(string? Store, string? Endpoint, string? Region, string? AccessKeyId, string? SecretAccessKey, bool? PathStyle)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Store = ").Append(Store)
            .Append(", Endpoint = ").Append(Endpoint)
            .Append(", Region = ").Append(Region)
            .Append(", AccessKeyId = ").Append(AccessKeyId is null ? "" : "(set)")
            .Append(", SecretAccessKey = ").Append(SecretAccessKey is null ? "" : "(set)")
            .Append(", PathStyle = ").Append(PathStyle);
        return true;
    }
}
