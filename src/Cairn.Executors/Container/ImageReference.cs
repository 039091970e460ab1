namespace Cairn.Executors.Container;

/// <summary>Image references as the engine's paths and queries want them.</summary>
internal static class ImageReference
{
    /// <summary>True when the reference uses only the characters image names, tags and digests may hold, so it can
    /// go into a request path as written.</summary>
    public static bool IsWellFormed(string image) =>
        image.Length > 0
        && image[0] is not ('/' or ':' or '@' or '.' or '-')
        && image.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '@');

    /// <summary>Adds <c>:latest</c> when the reference names neither a tag nor a digest. A registry port
    /// (<c>host:5000/name</c>) is not a tag: only a colon in the last path segment is.</summary>
    public static string WithDefaultTag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return image;
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        return lastSegment.Contains(':', StringComparison.Ordinal) ? image : image + ":latest";
    }
}
