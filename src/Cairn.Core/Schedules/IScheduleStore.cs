namespace Cairn.Core.Schedules;

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
