using System.Globalization;

namespace Cairn.Server.Hosting;

/// <summary>A number of bytes as a setting spells it: <c>4MiB</c>, <c>512 KiB</c>, or a plain number of bytes.</summary>
internal static class ByteSize
{
    private static readonly (string Unit, long Bytes)[] Units = [("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        var multiplier = 1L;
        foreach (var (unit, size) in Units)
        {
            if (span.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
            {
                span = span[..^unit.Length].TrimEnd();
                multiplier = size;
                break;
            }
        }

        if (!long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = count * multiplier;
        return true;
    }

    /// <summary>As a setting would spell it: <c>4MiB</c>, <c>512KiB</c>, <c>1000B</c>.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20}MiB",
        >= 1 << 10 when bytes % (1 << 10) == 0 => $"{bytes >> 10}KiB",
        _ => $"{bytes}B",
    };
}
