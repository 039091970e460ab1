namespace Cairn.Core.Pipelines;

/// <summary>A five-field cron schedule (minute hour day-of-month month day-of-week), evaluated in UTC.</summary>
public sealed class CronExpression
{
    private CronExpression()
    {
    }

    public string Text { get; private init; } = "";

    public static bool TryParse(string text, out CronExpression? expression, out string? error) =>
        throw new NotImplementedException();

    /// <summary>The first time strictly after <paramref name="after"/> that the schedule fires, or null if never.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) =>
        throw new NotImplementedException();
}
