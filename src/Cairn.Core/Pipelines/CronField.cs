using System.Globalization;

namespace Cairn.Core.Pipelines;

/// <summary>One of the five cron fields: its name, its range, and the names it accepts in place of numbers.</summary>
internal sealed class CronField
{
    private readonly string name;
    private readonly int min;
    private readonly int max;
    private readonly string[] valueNames;
    private readonly string nameKind;

    private CronField(string name, int min, int max, string[]? valueNames = null, string nameKind = "")
    {
        this.name = name;
        this.min = min;
        this.max = max;
        this.valueNames = valueNames ?? [];
        this.nameKind = nameKind;
    }

    public static CronField Minute { get; } = new("minute", 0, 59);

    public static CronField Hour { get; } = new("hour", 0, 23);

    public static CronField DayOfMonth { get; } = new("day-of-month", 1, 31);

    // Index is the value: JAN is 1.
    public static CronField Month { get; } = new(
        "month", 1, 12, ["", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], "month name");

    // 7 is Sunday too; the caller folds it onto 0.
    public static CronField DayOfWeek { get; } = new(
        "day-of-week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], "weekday name");

    /// <summary>Parses a comma list of <c>*</c>, <c>*/n</c>, <c>a</c>, <c>a-b</c>, <c>a-b/n</c>, <c>a/n</c> into a bit set.</summary>
    public bool TryParse(string text, out ulong bits, out string? error)
    {
        bits = 0;
        foreach (var item in text.Split(','))
        {
            if (item.Length == 0)
            {
                error = $"{name} field: empty entry in '{text}'";
                return false;
            }

            if (!TryParseItem(item, out var itemBits, out error))
            {
                return false;
            }

            bits |= itemBits;
        }

        error = null;
        return true;
    }

    private bool TryParseItem(string item, out ulong bits, out string? error)
    {
        bits = 0;
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        var rangeText = slash < 0 ? item : item[..slash];
        var step = 1;
        if (slash >= 0 && !TryParseStep(item, item[(slash + 1)..], out step, out error))
        {
            return false;
        }

        int first, last;
        if (rangeText == "*")
        {
            (first, last) = (min, max);
        }
        else
        {
            var dash = rangeText.IndexOf('-', StringComparison.Ordinal);
            var firstText = dash < 0 ? rangeText : rangeText[..dash];
            if (!TryParseValue(firstText, out first, out error))
            {
                return false;
            }

            last = first;
            if (dash >= 0 && !TryParseValue(rangeText[(dash + 1)..], out last, out error))
            {
                return false;
            }

            if (dash < 0 && slash >= 0)
            {
                last = max;
            }

            // FRI-SUN reads as Friday to Sunday, with Sunday as 7.
            if (this == DayOfWeek && dash >= 0 && last == 0 && first > 0)
            {
                last = 7;
            }

            if (last < first)
            {
                error = $"{name} field: range {first}-{last} goes backwards; write {first}-{max},{min}-{last}";
                return false;
            }
        }

        // long, so a huge step cannot wrap around.
        for (long value = first; value <= last; value += step)
        {
            bits |= 1UL << (int)value;
        }

        error = null;
        return true;
    }

    private bool TryParseStep(string item, string stepText, out int step, out string? error)
    {
        if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step))
        {
            error = $"{name} field: step '{stepText}' in '{item}' is not a number";
            return false;
        }

        if (step == 0)
        {
            error = $"{name} field: step 0 in '{item}' must be at least 1";
            return false;
        }

        error = null;
        return true;
    }

    private bool TryParseValue(string text, out int value, out string? error)
    {
        error = null;
        var index = Array.FindIndex(valueNames, n => n.Length > 0 && string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            value = index;
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            if (text.Length > 0 && text.All(char.IsAsciiDigit))
            {
                error = $"{name} field: {text} is out of range {min}-{max}";
                return false;
            }

            error = valueNames.Length == 0
                ? $"{name} field: '{text}' is not a number"
                : $"{name} field: '{text}' is not a number or a {nameKind}";
            return false;
        }

        if (value < min || value > max)
        {
            error = $"{name} field: {value} is out of range {min}-{max}";
            return false;
        }

        return true;
    }
}
