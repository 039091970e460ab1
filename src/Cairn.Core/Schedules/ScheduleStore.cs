namespace Cairn.Core.Schedules;

/// <summary>One <c>on.schedule</c> cron of a repository's default-branch pipeline, with its next fire time.</summary>
public sealed record ScheduleEntry(long Id, string Repository, string Pipeline, string Cron, DateTimeOffset NextFireAt);

/// <summary>A cron to register: the store keeps the next fire time of a (pipeline, cron) pair it already has.</summary>
public sealed record ScheduleDefinition(string Pipeline, string Cron, DateTimeOffset NextFireAt);

/// <summary>Cron schedules, claimed tick by tick so that each due tick fires once however many replicas look.</summary>
public interface IScheduleStore
{
    /// <summary>Makes the repository's schedules exactly <paramref name="schedules"/>: new ones are added, gone ones removed,
    /// and those already there keep their next fire time.</summary>
    Task ReplaceSchedulesAsync(string repository, IReadOnlyList<ScheduleDefinition> schedules, CancellationToken cancellationToken);

    /// <summary>All schedules, soonest first.</summary>
    Task<IReadOnlyList<ScheduleEntry>> ListSchedulesAsync(CancellationToken cancellationToken);

    /// <summary>Compare-and-set: moves the schedule's next fire time from <paramref name="expected"/> to
    /// <paramref name="next"/>. Only the caller that gets true fires the tick.</summary>
    Task<bool> TryAdvanceScheduleAsync(long id, DateTimeOffset expected, DateTimeOffset next, CancellationToken cancellationToken);
}

/// <summary>Small named values a server keeps in its store (the admin token's hash).</summary>
public interface IServerSettings
{
    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken);

    /// <summary>Sets the value only if the key has none; false (nothing written) when it had one.</summary>
    Task<bool> TryAddSettingAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Sets the value whatever it was.</summary>
    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken);
}
