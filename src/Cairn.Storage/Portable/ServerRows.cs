using System.Data.Common;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Schedules;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>Maps the rows of the server's tables to records, alike for both dialects; states are stored as their lower-case names.</summary>
internal static class ServerRows
{
    public static string Wire<TState>(TState state)
        where TState : struct, Enum => state.ToString().ToLowerInvariant();

    /// <summary>The name a repository is found by: forges compare names without regard to case.</summary>
    public static string RepositoryKey(string name) => name.ToLowerInvariant();

    /// <summary>Reads the columns of <see cref="ServerSql.RepositoryColumns"/>.</summary>
    public static RepositoryRecord ReadRepository(DbDataReader row) => new(
        Name: row.GetString(0),
        Forge: ForgeNames.TryParse(row.GetString(1), out var forge) ? forge : throw new FormatException($"'{row.GetString(1)}' is not a forge"),
        CloneUrl: row.GetString(2),
        ApiUrl: row.GetString(3),
        DefaultBranch: row.GetString(4),
        SealedWebhookSecret: BytesOrNull(row, 5),
        SealedForgeToken: BytesOrNull(row, 6),
        CreatedAt: FromMillis(row.GetInt64(8)))
    {
        AllowForkSecrets = row.GetBoolean(7),
        ForkPullRequests = ForkPullRequestPolicies.TryParse(row.GetString(9), out var policy)
            ? policy
            : throw new FormatException($"'{row.GetString(9)}' is not a policy for pull requests from forks"),
        Public = row.GetBoolean(10),
        MaxRunningJobs = row.IsDBNull(11) ? null : row.GetInt32(11),
    };

    /// <summary>Reads the columns of <see cref="ServerSql.JournalColumns"/>.</summary>
    public static JournalEntry ReadJournalEntry(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Source: row.GetString(1),
        DeliveryId: StringOrNull(row, 2),
        Repository: row.GetString(3),
        EventName: row.GetString(4),
        Trigger: row.GetString(5),
        State: Enum.Parse<EventState>(row.GetString(6), ignoreCase: true),
        ReceivedAt: FromMillis(row.GetInt64(7)),
        RunId: row.IsDBNull(8) ? null : row.GetInt64(8),
        Detail: StringOrNull(row, 9))
    {
        TraceParent = StringOrNull(row, 10),
    };

    /// <summary>Reads the columns of <see cref="ServerSql.OutboxColumns"/>.</summary>
    public static StatusOutboxEntry ReadOutboxEntry(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Repository: row.GetString(1),
        Sha: row.GetString(2),
        Status: new CommitStatus(Enum.Parse<CommitState>(row.GetString(3), ignoreCase: true), row.GetString(4), row.GetString(5), StringOrNull(row, 6)),
        State: Enum.Parse<OutboxState>(row.GetString(7), ignoreCase: true),
        Attempts: row.GetInt32(8),
        CreatedAt: FromMillis(row.GetInt64(9)),
        NextAttemptAt: FromMillis(row.GetInt64(10)),
        LastError: StringOrNull(row, 11));

    /// <summary>Reads the columns of <see cref="ServerSql.ScheduleColumns"/>.</summary>
    public static ScheduleEntry ReadSchedule(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Repository: row.GetString(1),
        Pipeline: row.GetString(2),
        Cron: row.GetString(3),
        NextFireAt: FromMillis(row.GetInt64(4)));
}
