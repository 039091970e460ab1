using System.Globalization;
using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests;

/// <summary>Schedules read in a named zone, across daylight-saving changes, as Cronos documents them.</summary>
public sealed class CronScheduleTimeZoneTests
{
    private static readonly TimeZoneInfo Berlin = Zone("Europe/Berlin");

    [Theory]
    // Spring forward (2024-03-31, 02:00 becomes 03:00): 02:30 does not exist, so it fires at 03:00 CEST, not never.
    [InlineData("2024-03-30T12:00:00Z", "2024-03-31T01:00:00Z")]
    [InlineData("2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z")]
    // Fall back (2024-10-27, 03:00 becomes 02:00): 02:30 happens twice and fires once, in the first (CEST) copy.
    [InlineData("2024-10-26T12:00:00Z", "2024-10-27T00:30:00Z")]
    [InlineData("2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z")]
    // A winter day is an hour later in UTC than a summer one.
    [InlineData("2024-01-10T00:00:00Z", "2024-01-10T01:30:00Z")]
    [InlineData("2024-07-10T00:00:00Z", "2024-07-10T00:30:00Z")]
    public void DailyInBerlin_FiresOncePerDay_AcrossDaylightSaving(string after, string expected)
    {
        var schedule = Parse("30 2 * * *", Berlin);

        var next = schedule.GetNextOccurrence(At(after));

        Assert.Equal(At(expected), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Fact]
    public void HourlyInBerlin_FiresInBothCopiesOfTheRepeatedHour()
    {
        var schedule = Parse("0 * * * *", Berlin);
        var fired = new List<DateTimeOffset>();
        var cursor = At("2024-10-26T22:30:00Z");
        for (var i = 0; i < 5; i++)
        {
            cursor = schedule.GetNextOccurrence(cursor)!.Value;
            fired.Add(cursor);
        }

        // 01:00 CEST, 02:00 CEST, 02:00 CET (again), 03:00 CET, 04:00 CET: an hour apart in UTC throughout.
        Assert.Equal(
            [At("2024-10-26T23:00:00Z"), At("2024-10-27T00:00:00Z"), At("2024-10-27T01:00:00Z"), At("2024-10-27T02:00:00Z"), At("2024-10-27T03:00:00Z")],
            fired);
    }

    [Fact]
    public void HourlyInBerlin_SkipsTheHourThatDoesNotExist()
    {
        var schedule = Parse("0 * * * *", Berlin);

        // 02:00 CET would be 01:00Z, but the clock goes from 01:59 CET to 03:00 CEST (01:00Z).
        Assert.Equal(At("2024-03-31T01:00:00Z"), schedule.GetNextOccurrence(At("2024-03-31T00:00:00Z")));
        Assert.Equal(At("2024-03-31T02:00:00Z"), schedule.GetNextOccurrence(At("2024-03-31T01:00:00Z")));
    }

    [Fact]
    public void DayOfMonthOrDayOfWeek_StillEither_InAZone()
    {
        // Friday 2024-09-06 at noon in Berlin (CEST) is 10:00Z; the 13th comes later.
        var schedule = Parse("0 12 13 * 5", Berlin);

        Assert.Equal(At("2024-09-06T10:00:00Z"), schedule.GetNextOccurrence(At("2024-09-01T00:00:00Z")));
    }

    [Theory]
    [InlineData("30 2 * * *", "Europe/Berlin", "CRON_TZ=Europe/Berlin 30 2 * * *")]
    [InlineData("@daily", "UTC", "@daily")]
    [InlineData("0 3 * * 1-5", "America/New_York", "CRON_TZ=America/New_York 0 3 * * 1-5")]
    public void Spec_CarriesTheZone_AndReadsBack(string cron, string zone, string expected)
    {
        var schedule = Parse(cron, Zone(zone));

        Assert.Equal(expected, schedule.Spec);
        Assert.True(CronSchedule.TryParseSpec(schedule.Spec, out var back));
        Assert.Equal(cron, back!.Text);
        Assert.Equal(schedule.TimeZone.Id, back.TimeZone.Id);
        var from = At("2024-03-30T12:00:00Z");
        Assert.Equal(schedule.GetNextOccurrence(from), back.GetNextOccurrence(from));
    }

    [Theory]
    [InlineData("CRON_TZ=Mars/Olympus 0 3 * * *")]
    [InlineData("CRON_TZ=Europe/Berlin")]
    [InlineData("CRON_TZ=Europe/Berlin 61 * * * *")]
    public void TryParseSpec_Refuses_WhatNoLongerReads(string spec) =>
        Assert.False(CronSchedule.TryParseSpec(spec, out _));

    [Theory]
    [InlineData("Europe/Berlin", true)]
    [InlineData("utc", true)]
    [InlineData("Mars/Olympus", false)]
    [InlineData("", false)]
    [InlineData("Europe/ Berlin", false)]
    public void TryFindZone_KnowsIanaNames(string id, bool found) =>
        Assert.Equal(found, CronSchedule.TryFindZone(id, out _));

    [Fact]
    public void WhatCronosRefuses_AfterTheFieldCheck_IsStillAnError()
    {
        Assert.False(CronSchedule.TryParse("*/60 * * * *", out var schedule, out var error));
        Assert.Null(schedule);
        Assert.StartsWith("Minutes:", error, StringComparison.Ordinal);
    }

    private static CronSchedule Parse(string cron, TimeZoneInfo zone)
    {
        Assert.True(CronSchedule.TryParse(cron, zone, out var schedule, out var error), error);
        return schedule!;
    }

    private static TimeZoneInfo Zone(string id)
    {
        Assert.True(CronSchedule.TryFindZone(id, out var zone), id);
        return zone!;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
