namespace Cairn.Core.Schedules;

/// <summary>One <c>on.schedule</c> cron of a repository's default-branch pipeline, with its next fire time.</summary>
public sealed record ScheduleEntry(long Id, string Repository, string Pipeline, string Cron, DateTimeOffset NextFireAt);

/// <summary>A cron to register: the store keeps the next fire time of a (pipeline, cron) pair it already has.</summary>
public sealed record ScheduleDefinition(string Pipeline, string Cron, DateTimeOffset NextFireAt);
