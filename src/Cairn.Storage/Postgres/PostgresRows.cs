using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Converts between rows and records: unix milliseconds to UTC times, text arrays, wire names.</summary>
internal static class PostgresRows
{
    public static long ToMillis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    /// <summary>The time as it will read back: stored times keep whole milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => FromMillis(at.ToUnixTimeMilliseconds());

    public static long? ToMillis(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    public static string StepWire(StepStatus status) => status.ToString().ToLowerInvariant();

    public static string StreamWire(LogStream stream) => stream.ToString().ToLowerInvariant();

    public static NpgsqlCommand Bind(this NpgsqlCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>Reads the columns of <see cref="PostgresSql.RunColumns"/>.</summary>
    public static RunRecord ReadRun(NpgsqlDataReader row) => new(
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

    /// <summary>Reads the columns of <see cref="PostgresSql.JobColumns"/>.</summary>
    public static JobRecord ReadJob(NpgsqlDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        Name: row.GetString(2),
        Key: row.GetString(3),
        Needs: row.GetFieldValue<string[]>(4),
        Labels: row.GetFieldValue<string[]>(5),
        Status: StatusNames.ParseJobStatus(row.GetString(6)),
        Attempt: row.GetInt32(7),
        ExitCode: row.IsDBNull(8) ? null : row.GetInt32(8),
        FailureClass: FailureClassOrNull(row, 9),
        FailureDetail: StringOrNull(row, 10),
        StartedAt: TimeOrNull(row, 11),
        FinishedAt: TimeOrNull(row, 12),
        Definition: row.GetString(13));

    /// <summary>Reads the columns of <see cref="PostgresSql.StepsOfJob"/>.</summary>
    public static StepRecord ReadStep(NpgsqlDataReader row) => new(
        JobId: row.GetInt64(0),
        Index: row.GetInt32(1),
        Name: row.GetString(2),
        Status: Enum.Parse<StepStatus>(row.GetString(3), ignoreCase: true),
        ExitCode: row.IsDBNull(4) ? null : row.GetInt32(4),
        StartedAt: TimeOrNull(row, 5),
        FinishedAt: TimeOrNull(row, 6));

    /// <summary>Reads the columns of <see cref="PostgresSql.ReadLog"/>.</summary>
    public static StoredLogLine ReadLogLine(NpgsqlDataReader row) => new(
        Sequence: row.GetInt64(0),
        StepIndex: row.GetInt32(1),
        Stream: Enum.Parse<LogStream>(row.GetString(2), ignoreCase: true),
        Timestamp: FromMillis(row.GetInt64(3)),
        Text: row.GetString(4));

    /// <summary>Reads <see cref="PostgresSql.ExpiredLeases"/>: the job's columns, then its lease.</summary>
    public static JobLease ReadExpiredLease(NpgsqlDataReader row)
    {
        var job = ReadJob(row);
        return new JobLease(job.Id, job.RunId, row.GetGuid(14), row.GetString(15), job.Attempt, FromMillis(row.GetInt64(16)), job);
    }

    private static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static DateTimeOffset? TimeOrNull(NpgsqlDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : FromMillis(row.GetInt64(ordinal));

    private static string? StringOrNull(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static FailureClass? FailureClassOrNull(NpgsqlDataReader row, int ordinal) =>
        !row.IsDBNull(ordinal) && StatusNames.TryParseFailureClass(row.GetString(ordinal), out var failureClass) ? failureClass : null;
}
