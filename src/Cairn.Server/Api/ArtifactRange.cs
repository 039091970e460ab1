using System.Globalization;

namespace Cairn.Server.Api;

/// <summary>One byte range of a file, from a request's <c>Range</c> header (<c>bytes=FIRST-LAST</c>, <c>bytes=FIRST-</c> or
/// <c>bytes=-SUFFIX</c>). Only a single range is served; a header asking for several, or not in bytes, is ignored and the
/// whole file is sent, as HTTP allows.</summary>
internal readonly record struct ArtifactRange(long Start, long Length)
{
    /// <summary>What the header asks of a file of <paramref name="size"/> bytes: null when it asks for nothing the server
    /// serves as a range (the whole file is sent); <see cref="Unsatisfiable"/> when no byte of it lies in the file.</summary>
    public static ArtifactRange? Parse(string? header, long size)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || text.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var spec = text["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            if (!TryNumber(lastText, out var suffix))
            {
                return null;
            }

            return suffix == 0 || size == 0 ? Unsatisfiable : new ArtifactRange(Math.Max(0, size - suffix), Math.Min(suffix, size));
        }

        if (!TryNumber(firstText, out var first) || (lastText.Length > 0 && !TryNumber(lastText, out _)))
        {
            return null;
        }

        var last = lastText.Length == 0 ? size - 1 : Math.Min(long.Parse(lastText, NumberStyles.None, CultureInfo.InvariantCulture), size - 1);
        if (lastText.Length > 0 && long.Parse(lastText, NumberStyles.None, CultureInfo.InvariantCulture) < first)
        {
            return null;
        }

        return first >= size ? Unsatisfiable : new ArtifactRange(first, last - first + 1);
    }

    /// <summary>A range no byte of the file is in: answered 416.</summary>
    public static ArtifactRange Unsatisfiable { get; } = new(-1, 0);

    public bool IsUnsatisfiable => Start < 0;

    /// <summary>The <c>Content-Range</c> of this range of a file of <paramref name="size"/> bytes.</summary>
    public string ContentRange(long size) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{Start + Length - 1}/{size}");

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
