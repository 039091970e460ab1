using System.Globalization;

namespace Cairn.Core.Access;

/// <summary>A token's lifetime as written in a request's <c>expiresIn</c>: a whole number and a unit, <c>d</c>ays,
/// <c>h</c>ours or <c>m</c>inutes (<c>30d</c>, <c>12h</c>, <c>90m</c>), at most <see cref="Maximum"/>.</summary>
public static class TokenLifetime
{
    public static TimeSpan Maximum { get; } = TimeSpan.FromDays(365);

    /// <summary>Reads a lifetime; false with a sentence saying what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out TimeSpan lifetime, out string? error)
    {
        lifetime = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2)
        {
            error = $"'{text}' is not a lifetime: write a number and a unit, as 30d, 12h or 90m";
            return false;
        }

        Func<double, TimeSpan>? unit = text[^1] switch
        {
            'd' => TimeSpan.FromDays,
            'h' => TimeSpan.FromHours,
            'm' => TimeSpan.FromMinutes,
            _ => null,
        };
        var digits = text[..^1];
        if (unit is null
            || !digits.All(char.IsAsciiDigit)
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"'{text}' is not a lifetime: write a number and a unit, as 30d, 12h or 90m";
            return false;
        }

        if (count == 0)
        {
            error = $"'{text}' is no time at all: a token must live at least a minute";
            return false;
        }

        if (count > Maximum.TotalMinutes || unit(count) > Maximum)
        {
            error = $"'{text}' is longer than the longest a token may live ({Maximum.TotalDays:0}d)";
            return false;
        }

        lifetime = unit(count);
        error = null;
        return true;
    }
}
