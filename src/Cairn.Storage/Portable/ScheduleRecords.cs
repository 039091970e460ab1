using Cairn.Core.Schedules;
using Cairn.Core.Settings;

namespace Cairn.Storage.Portable;

/// <summary>Cron schedules and the server's settings, alike for both dialects.</summary>
internal sealed class ScheduleRecords(IStatementRunner database) : IScheduleStore, ISettingStore
{
    public async Task ReplaceSchedulesAsync(string repository, IReadOnlyList<ScheduleDefinition> schedules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(schedules);
        var key = ServerRows.RepositoryKey(repository);
        var wanted = schedules.Select(s => (s.Pipeline, s.Cron)).ToHashSet();
        await database.InTransactionAsync(
            async transaction =>
            {
                var existing = await transaction.QueryAsync(
                    ServerSql.SchedulesOfRepository,
                    c => c.Bind("@key", key),
                    row => (Id: row.GetInt64(0), Pipeline: row.GetString(1), Cron: row.GetString(2)),
                    cancellationToken);
                foreach (var gone in existing.Where(e => !wanted.Contains((e.Pipeline, e.Cron))))
                {
                    await transaction.ExecuteAsync(ServerSql.DeleteSchedule, c => c.Bind("@id", gone.Id), cancellationToken);
                }

                foreach (var schedule in schedules)
                {
                    await transaction.ExecuteAsync(
                        ServerSql.AddSchedule,
                        command => command
                            .Bind("@key", key)
                            .Bind("@repository", repository)
                            .Bind("@pipeline", schedule.Pipeline)
                            .Bind("@cron", schedule.Cron)
                            .Bind("@next", RecordRows.ToMillis(schedule.NextFireAt)),
                        cancellationToken);
                }

                return true;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<ScheduleEntry>> ListSchedulesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(ServerSql.Schedules, _ => { }, ServerRows.ReadSchedule, cancellationToken);

    public async Task<bool> TryAdvanceScheduleAsync(long id, DateTimeOffset expected, DateTimeOffset next, CancellationToken cancellationToken)
    {
        var advanced = await database.ExecuteAsync(
            ServerSql.AdvanceSchedule,
            command => command.Bind("@id", id).Bind("@expected", RecordRows.ToMillis(expected)).Bind("@next", RecordRows.ToMillis(next)),
            cancellationToken);
        return advanced == 1;
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken)
    {
        var values = await database.QueryAsync(ServerSql.GetSetting, c => c.Bind("@key", key), row => row.GetString(0), cancellationToken);
        return values.SingleOrDefault();
    }

    public async Task<bool> TryAddSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(ServerSql.AddSetting, c => c.Bind("@key", key).Bind("@value", value), cancellationToken) == 1;

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        database.ExecuteAsync(ServerSql.SetSetting, c => c.Bind("@key", key).Bind("@value", value), cancellationToken);
}
