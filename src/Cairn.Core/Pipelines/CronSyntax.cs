using System.Globalization;

namespace Cairn.Core.Pipelines;

/// <summary>The five-field cron grammar Cairn accepts, checked field by field so that a rejected schedule is told
/// with the field and the problem; Cronos evaluates what passes.</summary>
/// <remarks>Each field is a comma list of <c>*</c>, <c>*/n</c>, <c>a</c>, <c>a-b</c>, <c>a-b/n</c> or <c>a/n</c>;
/// months and weekdays may be named. A backwards range such as <c>20-5</c> is refused rather than wrapped.</remarks>
internal sealed class CronSyntax
{
    private static readonly string[] MonthNames = ["", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] WeekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly string name;
    private readonly int min;
    private readonly int max;
    private readonly string[] valueNames;
    private readonly string nameKind;

    private CronSyntax(string name, int min, int max, string[]? valueNames = null, string nameKind = "")
    {
        this.name = name;
        this.min = min;
        this.max = max;
        this.valueNames = valueNames ?? [];
        this.nameKind = nameKind;
    }

    /// <summary>The fields in the order they are written.</summary>
    public static IReadOnlyList<CronSyntax> Fields { get; } =
    [
        new("minute", 0, 59),
        new("hour", 0, 23),
        new("day-of-month", 1, 31),
        new("month", 1, 12, MonthNames, "month name"),
        // 7 is Sunday too.
        new("day-of-week", 0, 7, WeekdayNames, "weekday name"),
    ];

    public string Name => name;

    /// <summary>Null when <paramref name="text"/> is a valid field, else what is wrong with it.</summary>
    public string? Check(string text)
    {
        foreach (var item in text.Split(','))
        {
            var error = item.Length == 0 ? $"{name} field: empty entry in '{text}'" : CheckItem(item);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private string? CheckItem(string item)
    {
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        var rangeText = slash < 0 ? item : item[..slash];
        if (slash >= 0 && CheckStep(item, item[(slash + 1)..]) is { } stepError)
        {
            return stepError;
        }

        if (rangeText == "*")
        {
            return null;
        }

        var dash = rangeText.IndexOf('-', StringComparison.Ordinal);
        if (!TryValue(dash < 0 ? rangeText : rangeText[..dash], out var first, out var error))
        {
            return error;
        }

        if (dash < 0)
        {
            return null;
        }

        if (!TryValue(rangeText[(dash + 1)..], out var last, out error))
        {
            return error;
        }

        // FRI-SUN reads as Friday to Sunday, with Sunday as 7.
        if (max == 7 && last == 0 && first > 0)
        {
            last = 7;
        }

        return last < first ? $"{name} field: range {first}-{last} goes backwards; write {first}-{max},{min}-{last}" : null;
    }

    private string? CheckStep(string item, string stepText)
    {
        if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
        {
            return $"{name} field: step '{stepText}' in '{item}' is not a number";
        }

        return step == 0 ? $"{name} field: step 0 in '{item}' must be at least 1" : null;
    }

    private bool TryValue(string text, out int value, out string? error)
    {
        error = null;
        value = Array.FindIndex(valueNames, n => n.Length > 0 && string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (value >= 0)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = text.Length > 0 && text.All(char.IsAsciiDigit) ? $"{name} field: {text} is out of range {min}-{max}"
                : valueNames.Length == 0 ? $"{name} field: '{text}' is not a number"
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
