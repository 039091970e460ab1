namespace Cairn.Core.Logs;

/// <summary>Which stream a log line came from. <see cref="System"/> lines are Cairn's own (step started, warnings).</summary>
public enum LogStream
{
    Stdout,
    Stderr,
    System,
}

/// <summary>One line of a job's output as an executor reports it; the reporter numbers it.</summary>
public sealed record LogLine(int StepIndex, LogStream Stream, DateTimeOffset Timestamp, string Text)
{
    /// <summary>The most UTF-8 bytes a stored line holds; a longer line is stored as several.</summary>
    public const int MaxTextBytes = 64 * 1024;

    /// <summary>The line goes on in the next line reported for the same step and stream: it was too long for the
    /// executor to hold, so it hands it over in pieces. The reporter masks secrets across the pieces.</summary>
    public bool Continues { get; init; }
}
