using Cronos;

namespace Cairn.Core.Pipelines;

/// <summary>A five-field cron schedule (minute hour day-of-month month day-of-week) in a time zone (UTC unless one is
/// named), whose occurrences Cronos computes.</summary>
/// <remarks>When day-of-month and day-of-week are both restricted (neither is exactly <c>*</c>), a day matches if
/// either matches, as in classic cron; Cronos alone would ask for both, so the schedule is then two Cronos expressions
/// and the earlier occurrence wins. A stepped star such as <c>*/2</c> counts as restricted, because that is what it
/// reads as. Across daylight-saving changes Cronos's rules apply: a time skipped in spring fires at the first valid
/// time after it, a time repeated in autumn fires once, and interval schedules (<c>0 * * * *</c>) fire in both copies
/// of the repeated hour.</remarks>
public sealed class CronSchedule
{
    private const string ZonePrefix = "CRON_TZ=";
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

    private readonly CronExpression[] expressions;
    private readonly bool never;

    private CronSchedule(string text, CronExpression[] expressions, TimeZoneInfo zone)
    {
        Text = text;
        this.expressions = expressions;
        TimeZone = zone;
        // A calendar that never matches (the 31st of February) is known at once, not searched for on every call.
        never = Earliest(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc) is null;
    }

    /// <summary>The schedule as written, trimmed.</summary>
    public string Text { get; }

    /// <summary>The zone whose wall clock the fields are read in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The schedule and its zone in one string, as stored with the repository's schedules: the text alone in
    /// UTC, else prefixed with <c>CRON_TZ=zone</c>.</summary>
    public string Spec => TimeZone == TimeZoneInfo.Utc ? Text : $"{ZonePrefix}{TimeZone.Id} {Text}";

    /// <summary>Parses five fields or a macro (<c>@hourly @daily @midnight @weekly @monthly @yearly @annually</c>), read
    /// in UTC. On failure <paramref name="error"/> names the field and the problem.</summary>
    public static bool TryParse(string text, out CronSchedule? schedule, out string? error) =>
        TryParse(text, TimeZoneInfo.Utc, out schedule, out error);

    /// <summary>As <see cref="TryParse(string, out CronSchedule?, out string?)"/>, read in <paramref name="zone"/>.</summary>
    public static bool TryParse(string text, TimeZoneInfo zone, out CronSchedule? schedule, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(zone);
        schedule = null;
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

        error = CronSyntax.Fields.Select((field, i) => field.Check(fields[i])).FirstOrDefault(e => e is not null);
        if (error is not null || !TryBuild(fields, out var expressions, out error))
        {
            return false;
        }

        schedule = new CronSchedule(trimmed, expressions, zone);
        return true;
    }

    /// <summary>Reads back a <see cref="Spec"/>; false if it no longer parses or names a zone this host lacks.</summary>
    public static bool TryParseSpec(string spec, out CronSchedule? schedule)
    {
        ArgumentNullException.ThrowIfNull(spec);
        schedule = null;
        var zone = TimeZoneInfo.Utc;
        var text = spec;
        if (spec.StartsWith(ZonePrefix, StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !TryFindZone(spec[ZonePrefix.Length..space], out var named))
            {
                return false;
            }

            zone = named!;
            text = spec[(space + 1)..];
        }

        return TryParse(text, zone, out schedule, out _);
    }

    /// <summary>Finds an IANA zone such as <c>Europe/Berlin</c> (or <c>UTC</c>) in the host's time-zone database.</summary>
    public static bool TryFindZone(string id, out TimeZoneInfo? zone)
    {
        ArgumentNullException.ThrowIfNull(id);
        zone = null;
        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        try
        {
            zone = id.Length == 0 || id.Contains(' ', StringComparison.Ordinal) ? null : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = null;
        }

        return zone is not null;
    }

    /// <summary>The first time strictly after <paramref name="after"/> that the schedule fires, in UTC, or null if
    /// never.</summary>
    /// <remarks>Seconds are dropped: the answer is always on a whole minute.</remarks>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        if (never || after.UtcDateTime.Year > DateTime.MaxValue.Year - SearchYears - 1)
        {
            return null;
        }

        return Earliest(after, TimeZone)?.ToUniversalTime();
    }

    public override string ToString() => Text;

    private DateTimeOffset? Earliest(DateTimeOffset after, TimeZoneInfo zone)
    {
        DateTimeOffset? earliest = null;
        foreach (var expression in expressions)
        {
            if (expression.GetNextOccurrence(after, zone) is { } next && (earliest is null || next < earliest))
            {
                earliest = next;
            }
        }

        return earliest;
    }

    private static bool TryBuild(string[] fields, out CronExpression[] expressions, out string? error)
    {
        var (minute, hour, dayOfMonth, month, dayOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        string[] texts = dayOfMonth != "*" && dayOfWeek != "*"
            ? [$"{minute} {hour} {dayOfMonth} {month} *", $"{minute} {hour} * {month} {dayOfWeek}"]
            : [string.Join(' ', fields)];
        try
        {
            expressions = [.. texts.Select(t => CronExpression.Parse(t, CronFormat.Standard))];
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            // What the field check lets through and Cronos refuses, such as a step as long as the field (*/60).
            expressions = [];
            error = ex.Message.Replace("The given cron expression has an invalid format. ", "", StringComparison.Ordinal);
            return false;
        }
    }
}
