using System.Globalization;
using System.Text;

namespace Cairn.Core.Pipelines;

/// <summary>Durations as written in pipelines: <c>90s</c>, <c>20m</c>, <c>1h30m</c>, <c>500ms</c>.</summary>
public static class Duration
{
    private const string Example = "like 90s, 20m or 1h30m";

    private static readonly (string Suffix, long Ticks)[] Units =
    [
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    // "ms" must be tried before "m".
    private static readonly (string Suffix, long Ticks)[] ParseOrder = [.. Units.OrderByDescending(u => u.Suffix.Length)];

    /// <summary>Parses a sequence of number-and-unit parts (units <c>ms s m h d</c>; numbers may be decimal, <c>1.5h</c>).
    /// The result must be more than zero; on failure <paramref name="error"/> says what to write instead.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            error = $"a duration cannot be empty: write one {Example}";
            return false;
        }

        if (trimmed.StartsWith('-'))
        {
            error = "a duration must be more than zero";
            return false;
        }

        if (IsPlainNumber(trimmed))
        {
            error = $"'{trimmed}' has no unit: write {trimmed}s, {trimmed}m or {trimmed}h";
            return false;
        }

        decimal ticks = 0;
        var position = 0;
        while (position < trimmed.Length)
        {
            if (!TryReadPart(trimmed, ref position, out var partTicks))
            {
                error = $"'{trimmed}' is not a duration: use a number and a unit, {Example}";
                return false;
            }

            ticks += partTicks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                error = $"'{trimmed}' is too long to be a duration";
                return false;
            }
        }

        var rounded = (long)decimal.Round(ticks, MidpointRounding.AwayFromZero);
        if (rounded <= 0)
        {
            error = "a duration must be more than zero";
            return false;
        }

        value = TimeSpan.FromTicks(rounded);
        error = null;
        return true;
    }

    /// <summary>The shortest form that parses back to the same value: <c>1h30m</c>, <c>1.5s</c> prints as <c>1500ms</c>.</summary>
    /// <remarks>Largest units first; when there is a fraction of a second, the seconds are folded into milliseconds
    /// so that no part needs a decimal point (except below a millisecond).</remarks>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var remaining = value.Ticks;
        var builder = new StringBuilder();
        foreach (var (suffix, unitTicks) in Units[..3])
        {
            AppendWhole(builder, ref remaining, suffix, unitTicks);
        }

        if (remaining % TimeSpan.TicksPerSecond == 0)
        {
            AppendWhole(builder, ref remaining, "s", TimeSpan.TicksPerSecond);
        }
        else
        {
            var milliseconds = (decimal)remaining / TimeSpan.TicksPerMillisecond;
            builder.Append(milliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms");
        }

        return builder.ToString();
    }

    private static void AppendWhole(StringBuilder builder, ref long remaining, string suffix, long unitTicks)
    {
        var count = remaining / unitTicks;
        if (count > 0)
        {
            builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append(suffix);
            remaining -= count * unitTicks;
        }
    }

    private static bool IsPlainNumber(string text)
    {
        var position = 0;
        return TryReadNumber(text, ref position, out _) && position == text.Length;
    }

    private static bool TryReadPart(string text, ref int position, out decimal ticks)
    {
        ticks = 0;
        if (!TryReadNumber(text, ref position, out var number))
        {
            return false;
        }

        foreach (var (suffix, unitTicks) in ParseOrder)
        {
            if (string.CompareOrdinal(text, position, suffix, 0, suffix.Length) == 0)
            {
                position += suffix.Length;
                ticks = number * unitTicks;
                return true;
            }
        }

        return false;
    }

    private static bool TryReadNumber(string text, ref int position, out decimal number)
    {
        number = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position == start)
        {
            return false;
        }

        if (position < text.Length && text[position] == '.')
        {
            var fractionStart = ++position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == fractionStart)
            {
                return false;
            }
        }

        // Sixteen digits of days still fit a decimal of ticks; longer is no duration anyone meant.
        return position - start <= 16
            && decimal.TryParse(text.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }
}
