using System.Globalization;

namespace Cairn.Cli.Output;

/// <summary>Elapsed times as a person reads them in a terminal: <c>0.42s</c>, <c>12.3s</c>, <c>4m07s</c>.</summary>
internal static class Durations
{
    public static string Short(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }

        return value.TotalSeconds switch
        {
            < 10 => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s",
            < 60 => value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes}m{value.Seconds:00}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes:00}m"),
        };
    }
}
