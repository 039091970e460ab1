using System.Globalization;

namespace Cairn.Core.Pipelines;

/// <summary>Sizes as people write them in settings: <c>1MiB</c>, <c>512KiB</c>, <c>2GiB</c>, or a number of bytes
/// (<c>1048576</c>, <c>1000B</c>). Units are binary; <c>KB</c>, <c>MB</c> and <c>GB</c> are read as their binary
/// namesakes, as most tools that take a size do.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Bytes)[] Units =
    [
        ("GiB", 1L << 30),
        ("MiB", 1L << 20),
        ("KiB", 1L << 10),
        ("GB", 1L << 30),
        ("MB", 1L << 20),
        ("KB", 1L << 10),
        ("G", 1L << 30),
        ("M", 1L << 20),
        ("K", 1L << 10),
        ("B", 1),
    ];

    /// <summary>Bytes, more than zero; false for anything else (a unit it does not know, a negative or zero size, an
    /// amount too large for a long).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        var trimmed = text.Trim();
        var multiplier = 1L;
        foreach (var (suffix, size) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                multiplier = size;
                break;
            }
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        var value = number * multiplier;
        if (value > long.MaxValue || value != decimal.Truncate(value))
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>A size as a setting says it: exact when it is a whole number of units (<c>1 MiB</c>, <c>512 KiB</c>),
    /// else to one decimal (<c>1.5 MiB</c>); under a KiB in bytes.</summary>
    public static string Format(long bytes) => Write(bytes, exact: true);

    /// <summary>A size as measured, always to one decimal of its unit (<c>200.0 MiB</c>, <c>3.2 KiB</c>); under a KiB
    /// in bytes.</summary>
    public static string Approximate(long bytes) => Write(bytes, exact: false);

    private static string Write(long bytes, bool exact)
    {
        foreach (var (suffix, size) in (ReadOnlySpan<(string, long)>)[("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10)])
        {
            if (bytes >= size)
            {
                return exact && bytes % size == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{bytes / size} {suffix}")
                    : string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / size:0.0} {suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
