using System.Text.Json;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Converts between rows and records: unix milliseconds to UTC times, JSON arrays, wire names.</summary>
internal static class SqliteRows
{
    public static long ToMillis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    /// <summary>The time as it will read back: stored times keep whole milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => FromMillis(at.ToUnixTimeMilliseconds());

    public static object ToMillisOrNull(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;

    public static string ToJson(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    public static string ToJson(IReadOnlyDictionary<string, string> values) => JsonSerializer.Serialize(values);

    public static string ToWire(this StepStatus status) => status.ToString().ToLowerInvariant();

    public static string ToWire(this LogStream stream) => stream.ToString().ToLowerInvariant();

    public static SqliteCommand Bind(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>Reads the columns of <see cref="SqliteSql.RunColumns"/>.</summary>
    public static RunRecord ReadRun(SqliteDataReader row) => new(
        Id: row.GetInt64(0),
        PipelineName: row.GetString(1),
        Event: row.GetString(2),
        Ref: StringOrNull(row, 3),
        Sha: StringOrNull(row, 4),
        Repository: StringOrNull(row, 5),
        Status: StatusNames.ParseRunStatus(row.GetString(6)),
        CreatedAt: FromMillis(row.GetInt64(7)),
        FinishedAt: TimeOrNull(row, 8),
        IdempotencyKey: StringOrNull(row, 9));

    /// <summary>Reads the columns of <see cref="SqliteSql.JobColumns"/>.</summary>
    public static JobRecord ReadJob(SqliteDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        Name: row.GetString(2),
        Key: row.GetString(3),
        Needs: FromJsonList(row.GetString(4)),
        Labels: FromJsonList(row.GetString(5)),
        Status: StatusNames.ParseJobStatus(row.GetString(6)),
        Attempt: row.GetInt32(7),
        ExitCode: row.IsDBNull(8) ? null : row.GetInt32(8),
        FailureClass: FailureClassOrNull(row, 9),
        FailureDetail: StringOrNull(row, 10),
        StartedAt: TimeOrNull(row, 11),
        FinishedAt: TimeOrNull(row, 12),
        Definition: row.GetString(13));

    /// <summary>Reads the columns of <see cref="SqliteSql.StepsOfJob"/>.</summary>
    public static StepRecord ReadStep(SqliteDataReader row) => new(
        JobId: row.GetInt64(0),
        Index: row.GetInt32(1),
        Name: row.GetString(2),
        Status: Enum.Parse<StepStatus>(row.GetString(3), ignoreCase: true),
        ExitCode: row.IsDBNull(4) ? null : row.GetInt32(4),
        StartedAt: TimeOrNull(row, 5),
        FinishedAt: TimeOrNull(row, 6));

    /// <summary>Reads the columns of <see cref="SqliteSql.ReadLog"/>.</summary>
    public static StoredLogLine ReadLogLine(SqliteDataReader row) => new(
        Sequence: row.GetInt64(0),
        StepIndex: row.GetInt32(1),
        Stream: Enum.Parse<LogStream>(row.GetString(2), ignoreCase: true),
        Timestamp: FromMillis(row.GetInt64(3)),
        Text: row.GetString(4));

    private static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static DateTimeOffset? TimeOrNull(SqliteDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : FromMillis(row.GetInt64(ordinal));

    private static string? StringOrNull(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static FailureClass? FailureClassOrNull(SqliteDataReader row, int ordinal) =>
        !row.IsDBNull(ordinal) && StatusNames.TryParseFailureClass(row.GetString(ordinal), out var failureClass) ? failureClass : null;

    private static string[] FromJsonList(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}
