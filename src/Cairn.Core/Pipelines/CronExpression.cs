using System.Numerics;

namespace Cairn.Core.Pipelines;

/// <summary>A five-field cron schedule (minute hour day-of-month month day-of-week), evaluated in UTC.</summary>
/// <remarks>When day-of-month and day-of-week are both restricted (neither is exactly <c>*</c>), a day matches if
/// either matches, as in classic cron. A stepped star such as <c>*/2</c> counts as restricted, because that is
/// what it reads as; some crons treat it as unrestricted.</remarks>
public sealed class CronExpression
{
    private const int SearchYears = 5;

    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    // Bit n set means value n is allowed.
    private ulong minutes;
    private uint hours;
    private uint daysOfMonth;
    private uint months;
    private uint daysOfWeek;
    private bool anyDayOfMonth;
    private bool anyDayOfWeek;

    private CronExpression()
    {
    }

    public string Text { get; private init; } = "";

    /// <summary>Parses five fields or a macro (<c>@hourly @daily @midnight @weekly @monthly @yearly @annually</c>).
    /// On failure <paramref name="error"/> names the field and the problem.</summary>
    public static bool TryParse(string text, out CronExpression? expression, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        expression = null;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            error = "a schedule cannot be empty: write five fields like '0 3 * * *' or a macro like @daily";
            return false;
        }

        var fieldText = trimmed;
        if (trimmed.StartsWith('@'))
        {
            if (!Macros.TryGetValue(trimmed, out var expanded))
            {
                error = $"'{trimmed}' is not a schedule macro: use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually";
                return false;
            }

            fieldText = expanded;
        }

        var fields = fieldText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"expected 5 fields (minute hour day-of-month month day-of-week), found {fields.Length}";
            return false;
        }

        var parsed = new CronExpression { Text = trimmed };
        if (!CronField.Minute.TryParse(fields[0], out var minuteBits, out error)
            || !CronField.Hour.TryParse(fields[1], out var hourBits, out error)
            || !CronField.DayOfMonth.TryParse(fields[2], out var domBits, out error)
            || !CronField.Month.TryParse(fields[3], out var monthBits, out error)
            || !CronField.DayOfWeek.TryParse(fields[4], out var dowBits, out error))
        {
            return false;
        }

        parsed.minutes = minuteBits;
        parsed.hours = (uint)hourBits;
        parsed.daysOfMonth = (uint)domBits;
        parsed.months = (uint)monthBits;
        // Sunday may be written 0 or 7; fold 7 onto 0.
        parsed.daysOfWeek = (uint)((dowBits | (dowBits >> 7)) & 0x7F);
        parsed.anyDayOfMonth = fields[2] == "*";
        parsed.anyDayOfWeek = fields[4] == "*";
        expression = parsed;
        return true;
    }

    /// <summary>The first time strictly after <paramref name="after"/> that the schedule fires, or null if never.</summary>
    /// <remarks>Seconds are dropped: the answer is always on a whole minute. "Never" means not within five years,
    /// which covers every real calendar (leap days included).</remarks>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        if (utc.Year > DateTime.MaxValue.Year - SearchYears - 1)
        {
            return null;
        }

        var time = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        var lastYear = time.Year + SearchYears;
        while (time.Year <= lastYear)
        {
            if (!Has(months, time.Month))
            {
                time = new DateTime(time.Year, time.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
            }
            else if (!DayMatches(time))
            {
                time = time.Date.AddDays(1);
            }
            else if (!Has(hours, time.Hour))
            {
                time = NextHour(time);
            }
            else
            {
                var minute = NextSetBit(minutes, time.Minute);
                if (minute >= 0)
                {
                    return new DateTimeOffset(time.AddMinutes(minute - time.Minute), TimeSpan.Zero);
                }

                time = NextHour(time);
            }
        }

        return null;
    }

    public override string ToString() => Text;

    private bool DayMatches(DateTime day)
    {
        var domMatches = Has(daysOfMonth, day.Day);
        var dowMatches = Has(daysOfWeek, (int)day.DayOfWeek);
        if (anyDayOfMonth || anyDayOfWeek)
        {
            return domMatches && dowMatches;
        }

        return domMatches || dowMatches;
    }

    private static DateTime NextHour(DateTime time) =>
        new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);

    private static bool Has(uint bits, int value) => (bits & (1u << value)) != 0;

    private static int NextSetBit(ulong bits, int from)
    {
        var remaining = bits >> from;
        return remaining == 0 ? -1 : from + BitOperations.TrailingZeroCount(remaining);
    }
}
