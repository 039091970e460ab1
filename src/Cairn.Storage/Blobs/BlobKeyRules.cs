namespace Cairn.Storage.Blobs;

/// <summary>What a blob key may be, in every blob store: relative, <c>/</c>-separated, of lower-case letters, digits,
/// <c>.</c>, <c>_</c> and <c>-</c> only, with no empty, <c>.</c> or <c>..</c> segment, so no key reaches outside its
/// store's folder or prefix.</summary>
internal static class BlobKeyRules
{
    public const int MaxLength = 512;

    /// <exception cref="ArgumentException">The key breaks a rule; the message says which.</exception>
    public static void Check(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"a blob key has 1 to {MaxLength} characters", nameof(key));
        }

        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' or '/'))
            {
                throw new ArgumentException("a blob key has only lower-case letters, digits, '.', '_', '-' and '/'", nameof(key));
            }
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new ArgumentException("a blob key is relative, with no empty, '.' or '..' segment", nameof(key));
            }
        }
    }
}
