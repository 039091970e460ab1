using System.Globalization;
using System.Text;

namespace Cairn.Executors.Shell;

/// <summary>Durations in messages, written the way pipelines write them (<c>1h30m</c>, <c>300ms</c>).</summary>
internal static class DurationText
{
    // Stands in until Cairn.Core.Pipelines.Duration.Format is implemented; then this delegates to it.
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, (long)value.TotalHours, "h");
        Append(text, value.Minutes, "m");
        if (value.Milliseconds == 0)
        {
            Append(text, value.Seconds, "s");
        }
        else
        {
            Append(text, (value.Seconds * 1000) + value.Milliseconds, "ms");
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, long amount, string unit)
    {
        if (amount > 0)
        {
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
