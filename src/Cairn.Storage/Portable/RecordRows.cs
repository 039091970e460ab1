using System.Data.Common;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Storage.Portable;

/// <summary>Maps rows to records for either dialect: unix milliseconds to UTC times, wire names to statuses.</summary>
/// <remarks>The dialects store a job's needs and labels, and a lease's id, in different column types; the two hooks read
/// those. Everything else reads the same through ADO.NET.</remarks>
internal sealed class RecordRows(Func<DbDataReader, int, string[]> readNames, Func<DbDataReader, int, Guid> readLeaseId)
{
    public const string RunColumns =
        "id, pipeline_name, event, ref, sha, repository, status, created_at, finished_at, idempotency_key, "
        + "number, started_at, failure_class, errors, concurrency_group, cancel_requested_at, rerun_of, trigger_json, cancel_reason, "
        + "pending_reason, cancel_in_progress, waiting_behind, trace_parent";

    public const string JobColumns =
        "id, run_id, name, key, needs, labels, status, attempt, exit_code, failure_class, failure_detail, started_at, finished_at, definition, "
        + "reused_from, retry_at, pending_reason";

    /// <summary>A change's place in the feed comes first: each dialect names it (SQLite: the id; PostgreSQL: the position).</summary>
    public const string ChangeColumns = "run_id, job_id, status, failure_class, detail, at";

    public const string StepColumns = "job_id, idx, name, status, exit_code, started_at, finished_at";

    public const string AttemptColumns =
        "job_id, attempt, status, exit_code, failure_class, failure_detail, started_at, finished_at, worker";

    public const string LogLineColumns = "seq, step_idx, stream, ts, text";

    public static long ToMillis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static long? ToMillis(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    /// <summary>The time as it will read back: stored times keep whole milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => FromMillis(at.ToUnixTimeMilliseconds());

    public static string StepWire(StepStatus status) => status.ToString().ToLowerInvariant();

    public static string StreamWire(LogStream stream) => stream.ToString().ToLowerInvariant();

    /// <summary>Reads the columns of <see cref="RunColumns"/>.</summary>
    public static RunRecord ReadRun(DbDataReader row) => new(
        Id: row.GetInt64(0),
        PipelineName: row.GetString(1),
        Event: row.GetString(2),
        Ref: StringOrNull(row, 3),
        Sha: StringOrNull(row, 4),
        Repository: StringOrNull(row, 5),
        Status: StatusNames.ParseRunStatus(row.GetString(6)),
        CreatedAt: FromMillis(row.GetInt64(7)),
        FinishedAt: TimeOrNull(row, 8),
        IdempotencyKey: StringOrNull(row, 9))
    {
        Number = row.GetInt64(10),
        StartedAt = TimeOrNull(row, 11),
        FailureClass = FailureClassOrNull(row, 12),
        Errors = StorageJson.ReadNames(row.GetString(13)),
        ConcurrencyGroup = StringOrNull(row, 14),
        CancelRequested = !row.IsDBNull(15),
        RerunOf = row.IsDBNull(16) ? null : row.GetInt64(16),
        Trigger = TriggerOrNull(row, 17),
        CancelReason = StringOrNull(row, 18),
        PendingReason = StringOrNull(row, 19),
        CancelInProgress = row.GetBoolean(20),
        WaitingBehind = row.IsDBNull(21) ? null : row.GetInt64(21),
        TraceParent = StringOrNull(row, 22),
    };

    /// <summary>Reads the change's place in the feed, then the columns of <see cref="ChangeColumns"/>.</summary>
    public static RunChange ReadChange(DbDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        JobId: row.IsDBNull(2) ? null : row.GetInt64(2),
        Status: ChangeStatus.Parse(row.GetString(3), isJob: !row.IsDBNull(2)),
        FailureClass: FailureClassOrNull(row, 4),
        Detail: StringOrNull(row, 5),
        At: FromMillis(row.GetInt64(6)));

    /// <summary>Reads the columns of <see cref="StepColumns"/>.</summary>
    public static StepRecord ReadStep(DbDataReader row) => new(
        JobId: row.GetInt64(0),
        Index: row.GetInt32(1),
        Name: row.GetString(2),
        Status: Enum.Parse<StepStatus>(row.GetString(3), ignoreCase: true),
        ExitCode: row.IsDBNull(4) ? null : row.GetInt32(4),
        StartedAt: TimeOrNull(row, 5),
        FinishedAt: TimeOrNull(row, 6));

    /// <summary>Reads the columns of <see cref="AttemptColumns"/>.</summary>
    public static JobAttemptRecord ReadAttempt(DbDataReader row) => new(
        JobId: row.GetInt64(0),
        Attempt: row.GetInt32(1),
        Status: StatusNames.ParseJobStatus(row.GetString(2)),
        ExitCode: row.IsDBNull(3) ? null : row.GetInt32(3),
        FailureClass: FailureClassOrNull(row, 4),
        FailureDetail: StringOrNull(row, 5),
        StartedAt: TimeOrNull(row, 6),
        FinishedAt: TimeOrNull(row, 7),
        Worker: StringOrNull(row, 8));

    /// <summary>Reads the columns of <see cref="LogLineColumns"/>.</summary>
    public static StoredLogLine ReadLogLine(DbDataReader row) => new(
        Sequence: row.GetInt64(0),
        StepIndex: row.GetInt32(1),
        Stream: Enum.Parse<LogStream>(row.GetString(2), ignoreCase: true),
        Timestamp: FromMillis(row.GetInt64(3)),
        Text: row.GetString(4));

    /// <summary>Reads the columns of <see cref="JobColumns"/>.</summary>
    public JobRecord ReadJob(DbDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        Name: row.GetString(2),
        Key: row.GetString(3),
        Needs: readNames(row, 4),
        Labels: readNames(row, 5),
        Status: StatusNames.ParseJobStatus(row.GetString(6)),
        Attempt: row.GetInt32(7),
        ExitCode: row.IsDBNull(8) ? null : row.GetInt32(8),
        FailureClass: FailureClassOrNull(row, 9),
        FailureDetail: StringOrNull(row, 10),
        StartedAt: TimeOrNull(row, 11),
        FinishedAt: TimeOrNull(row, 12),
        Definition: row.GetString(13))
    {
        ReusedFrom = row.IsDBNull(14) ? null : row.GetInt64(14),
        RetryAt = TimeOrNull(row, 15),
        PendingReason = StringOrNull(row, 16),
    };

    /// <summary>Reads a lease id column as the dialect stores it.</summary>
    public Guid ReadLeaseId(DbDataReader row, int ordinal) => readLeaseId(row, ordinal);

    /// <summary>Reads <see cref="JobColumns"/>, then the lease's id, owner and expiry.</summary>
    public JobLease ReadExpiredLease(DbDataReader row)
    {
        var job = ReadJob(row);
        return new JobLease(job.Id, job.RunId, readLeaseId(row, 17), row.GetString(18), job.Attempt, FromMillis(row.GetInt64(19)), job);
    }

    public static DateTimeOffset FromMillis(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    public static DateTimeOffset? TimeOrNull(DbDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : FromMillis(row.GetInt64(ordinal));

    public static string? StringOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public static byte[]? BytesOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : (byte[])row.GetValue(ordinal);

    private static FailureClass? FailureClassOrNull(DbDataReader row, int ordinal) =>
        !row.IsDBNull(ordinal) && StatusNames.TryParseFailureClass(row.GetString(ordinal), out var failureClass) ? failureClass : null;

    // A trigger that no longer reads (written by a version that knew other events) costs the rerun, not the run's page.
    private static TriggerEvent? TriggerOrNull(DbDataReader row, int ordinal)
    {
        if (row.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return TriggerEventJson.Deserialize(row.GetString(ordinal));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
