using System.Globalization;
using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests;

public sealed class CronScheduleTests
{
    [Theory]
    // */15 steps, strictly after, seconds dropped.
    [InlineData("*/15 * * * *", "2024-01-01T10:07:30Z", "2024-01-01T10:15:00Z")]
    [InlineData("*/15 * * * *", "2024-01-01T10:15:00Z", "2024-01-01T10:30:00Z")]
    [InlineData("*/15 * * * *", "2024-01-01T10:14:59Z", "2024-01-01T10:15:00Z")]
    [InlineData("*/15 * * * *", "2024-01-01T10:45:00Z", "2024-01-01T11:00:00Z")]
    [InlineData("*/15 * * * *", "2024-01-01T23:50:00Z", "2024-01-02T00:00:00Z")]
    // Year rollover.
    [InlineData("0 0 * * *", "2024-12-31T23:59:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z")]
    // Month ends: April has no 31st.
    [InlineData("0 0 31 * *", "2024-04-15T00:00:00Z", "2024-05-31T00:00:00Z")]
    [InlineData("0 0 30 * *", "2024-01-31T00:00:00Z", "2024-03-30T00:00:00Z")]
    // Leap years.
    [InlineData("0 0 29 2 *", "2023-01-01T00:00:00Z", "2024-02-29T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 * 2 *", "2024-02-28T12:00:00Z", "2024-02-29T00:00:00Z")]
    [InlineData("0 0 * 2 *", "2023-02-28T12:00:00Z", "2024-02-01T00:00:00Z")]
    // Day-of-month OR day-of-week when both are restricted (2024-09-01 is a Sunday).
    [InlineData("0 12 13 * 5", "2024-09-01T00:00:00Z", "2024-09-06T12:00:00Z")]
    [InlineData("0 12 13 * FRI", "2024-09-06T12:00:00Z", "2024-09-13T12:00:00Z")]
    [InlineData("0 0 1 * MON", "2024-01-02T00:00:00Z", "2024-01-08T00:00:00Z")]
    [InlineData("0 0 1 * MON", "2024-01-29T00:00:00Z", "2024-02-01T00:00:00Z")]
    [InlineData("0 0 */2 * MON", "2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z")]
    [InlineData("0 0 1-31 * MON", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")]
    // Only day-of-week restricted: it alone decides.
    [InlineData("0 0 * * MON", "2024-01-02T00:00:00Z", "2024-01-08T00:00:00Z")]
    [InlineData("0 0 * * 7", "2024-01-02T00:00:00Z", "2024-01-07T00:00:00Z")]
    [InlineData("0 0 * * 0", "2024-01-02T00:00:00Z", "2024-01-07T00:00:00Z")]
    [InlineData("0 0 * * sat,sun", "2024-01-02T00:00:00Z", "2024-01-06T00:00:00Z")]
    [InlineData("0 0 * * FRI-SUN", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z")]
    [InlineData("0 0 * * 1-5", "2024-01-05T00:00:00Z", "2024-01-08T00:00:00Z")]
    // Names, ranges with steps, value with step, lists.
    [InlineData("0 9 * JAN,jul *", "2024-02-01T00:00:00Z", "2024-07-01T09:00:00Z")]
    [InlineData("30 9-17/4 * * *", "2024-01-01T13:30:00Z", "2024-01-01T17:30:00Z")]
    [InlineData("30 9-17/4 * * *", "2024-01-01T17:30:00Z", "2024-01-02T09:30:00Z")]
    [InlineData("5/20 * * * *", "2024-01-01T10:26:00Z", "2024-01-01T10:45:00Z")]
    [InlineData("1,15,30 * * * *", "2024-01-01T10:15:00Z", "2024-01-01T10:30:00Z")]
    [InlineData("0 0 1 */3 *", "2024-02-10T00:00:00Z", "2024-04-01T00:00:00Z")]
    // Macros.
    [InlineData("@hourly", "2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")]
    [InlineData("@daily", "2024-01-01T10:00:00Z", "2024-01-02T00:00:00Z")]
    [InlineData("@midnight", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")]
    [InlineData("@weekly", "2024-01-02T00:00:00Z", "2024-01-07T00:00:00Z")]
    [InlineData("@monthly", "2024-01-31T23:59:00Z", "2024-02-01T00:00:00Z")]
    [InlineData("@yearly", "2024-06-15T00:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@ANNUALLY", "2024-06-15T00:00:00Z", "2025-01-01T00:00:00Z")]
    // The answer is in UTC whatever the offset of the input.
    [InlineData("*/15 * * * *", "2024-01-01T10:07:00+02:00", "2024-01-01T08:15:00Z")]
    [InlineData("0 0 * * *", "2024-01-01T22:00:00-05:00", "2024-01-03T00:00:00Z")]
    public void GetNextOccurrence_FindsTheFirstMatchingMinuteAfter(string cron, string after, string expected)
    {
        var expression = Parse(cron);

        var next = expression.GetNextOccurrence(DateTimeOffset.Parse(after, CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Theory]
    [InlineData("0 0 31 2 *")]
    [InlineData("0 0 30 2 *")]
    [InlineData("0 0 31 4,6,9,11 *")]
    public void GetNextOccurrence_IsNull_WhenTheCalendarNeverMatches(string cron)
    {
        Assert.Null(Parse(cron).GetNextOccurrence(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void GetNextOccurrence_IsNull_AtTheEndOfTime()
    {
        Assert.Null(Parse("* * * * *").GetNextOccurrence(DateTimeOffset.MaxValue));
    }

    public static TheoryData<string> ScanCases => new()
    {
        "0 12 13 * 5",
        "*/7 3-5 * * *",
        "15 0 29 2 *",
        "45 23 1,31 * 1-5",
    };

    [Theory]
    [MemberData(nameof(ScanCases))]
    public void GetNextOccurrence_AgreesWithAMinuteByMinuteScan(string cron)
    {
        var expression = Parse(cron);
        var matches = ScanMatcher(cron);
        var start = new DateTime(2023, 12, 20, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddDays(120);
        var expected = new List<DateTime>();
        for (var t = start.AddMinutes(1); t < end; t = t.AddMinutes(1))
        {
            if (matches(t))
            {
                expected.Add(t);
            }
        }

        var actual = new List<DateTime>();
        var cursor = new DateTimeOffset(start);
        while (expression.GetNextOccurrence(cursor) is { } next && next.UtcDateTime < end)
        {
            actual.Add(next.UtcDateTime);
            cursor = next;
        }

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("0 0 * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4")]
    [InlineData("0 0 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6")]
    [InlineData("61 * * * *", "minute field: 61 is out of range 0-59")]
    [InlineData("* 24 * * *", "hour field: 24 is out of range 0-23")]
    [InlineData("* * 0 * *", "day-of-month field: 0 is out of range 1-31")]
    [InlineData("* * 32 * *", "day-of-month field: 32 is out of range 1-31")]
    [InlineData("* * * 13 *", "month field: 13 is out of range 1-12")]
    [InlineData("* * * 0 *", "month field: 0 is out of range 1-12")]
    [InlineData("* * * * 8", "day-of-week field: 8 is out of range 0-7")]
    [InlineData("99999999999 * * * *", "minute field: 99999999999 is out of range 0-59")]
    [InlineData("* * * * FUNDAY", "day-of-week field: 'FUNDAY' is not a number or a weekday name")]
    [InlineData("* * * FOO *", "month field: 'FOO' is not a number or a month name")]
    [InlineData("x * * * *", "minute field: 'x' is not a number")]
    [InlineData("-5 * * * *", "minute field: '' is not a number")]
    [InlineData("*/0 * * * *", "minute field: step 0 in '*/0' must be at least 1")]
    [InlineData("* 1-5/0 * * *", "hour field: step 0 in '1-5/0' must be at least 1")]
    [InlineData("*/x * * * *", "minute field: step 'x' in '*/x' is not a number")]
    [InlineData("1,,2 * * * *", "minute field: empty entry in '1,,2'")]
    [InlineData("* 20-5 * * *", "hour field: range 20-5 goes backwards; write 20-23,0-5")]
    [InlineData("@reboot", "'@reboot' is not a schedule macro: use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually")]
    [InlineData("", "a schedule cannot be empty: write five fields like '0 3 * * *' or a macro like @daily")]
    public void TryParse_Rejects_NamingTheFieldAndTheProblem(string cron, string expectedError)
    {
        Assert.False(CronSchedule.TryParse(cron, out var expression, out var error));
        Assert.Null(expression);
        Assert.Equal(expectedError, error);
    }

    [Theory]
    [InlineData("  */5 * * * *  ", "*/5 * * * *")]
    [InlineData("@daily", "@daily")]
    [InlineData("0  3\t* * *", "0  3\t* * *")]
    public void TryParse_KeepsTheTrimmedText(string cron, string expected)
    {
        var expression = Parse(cron);
        Assert.Equal(expected, expression.Text);
        Assert.Equal(expected, expression.ToString());
    }

    [Fact]
    public void GetNextOccurrence_IsFast_ForSparseSchedules()
    {
        var expression = Parse("0 0 31 2 *");
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(expression.GetNextOccurrence(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        }

        // Five years minute by minute, a thousand times, would take minutes; skipping by field takes milliseconds.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    private static CronSchedule Parse(string cron)
    {
        Assert.True(CronSchedule.TryParse(cron, out var expression, out var error), error);
        return expression!;
    }

    // Independent matchers for the scan cases, written straight from the schedule's meaning.
    private static Func<DateTime, bool> ScanMatcher(string cron) => cron switch
    {
        "0 12 13 * 5" => t => t.Minute == 0 && t.Hour == 12 && (t.Day == 13 || t.DayOfWeek == DayOfWeek.Friday),
        "*/7 3-5 * * *" => t => t.Minute % 7 == 0 && t.Hour is >= 3 and <= 5,
        "15 0 29 2 *" => t => t.Minute == 15 && t.Hour == 0 && t.Day == 29 && t.Month == 2,
        "45 23 1,31 * 1-5" => t => t.Minute == 45 && t.Hour == 23
            && (t.Day is 1 or 31 || t.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday),
        _ => throw new ArgumentOutOfRangeException(nameof(cron), cron, "no scan matcher"),
    };
}
