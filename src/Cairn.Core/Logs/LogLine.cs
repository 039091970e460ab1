namespace Cairn.Core.Logs;

/// <summary>Which stream a log line came from. <see cref="System"/> lines are Cairn's own (step started, warnings).</summary>
public enum LogStream
{
    Stdout,
    Stderr,
    System,
}

/// <summary>One line of a job's output as an executor reports it; the reporter numbers it.</summary>
public sealed record LogLine(int StepIndex, LogStream Stream, DateTimeOffset Timestamp, string Text);
