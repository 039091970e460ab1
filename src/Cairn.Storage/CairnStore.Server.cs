using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Schedules;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>The server's tables: repositories, the event journal, the status outbox, schedules and settings.</summary>
public abstract partial class CairnStore
{
    private readonly RepositoryRecords _repositories;
    private readonly EventJournalRecords _journal;
    private readonly StatusOutboxRecords _outbox;
    private readonly ScheduleRecords _schedules;

    public Task<bool> AddRepositoryAsync(RepositoryRecord repository, CancellationToken cancellationToken) =>
        _repositories.AddRepositoryAsync(repository, cancellationToken);

    public Task<RepositoryRecord?> GetRepositoryAsync(string name, CancellationToken cancellationToken) =>
        _repositories.GetRepositoryAsync(name, cancellationToken);

    public Task<RepositoryRecord?> UpdateRepositoryAsync(string name, RepositorySettingsChange change, CancellationToken cancellationToken) =>
        _repositories.UpdateRepositoryAsync(name, change, cancellationToken);

    public Task<int> CountRunningJobsAsync(string name, CancellationToken cancellationToken) =>
        _repositories.CountRunningJobsAsync(name, cancellationToken);

    public Task<IReadOnlyList<RepositoryRecord>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        _repositories.ListRepositoriesAsync(cancellationToken);

    public Task<bool> DeleteRepositoryAsync(string name, CancellationToken cancellationToken) =>
        _repositories.DeleteRepositoryAsync(name, cancellationToken);

    public Task<JournalResult> AppendEventAsync(NewJournalEntry entry, CancellationToken cancellationToken) =>
        _journal.AppendEventAsync(entry, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ClaimPendingEventsAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken) =>
        _journal.ClaimPendingEventsAsync(claimant, now, claimFor, limit, cancellationToken);

    /// <exception cref="ArgumentException"><paramref name="state"/> is pending.</exception>
    public Task<bool> ResolveEventAsync(long id, EventState state, long? runId, string? detail, CancellationToken cancellationToken) =>
        _journal.ResolveEventAsync(id, state, runId, detail, cancellationToken);

    public Task<JournalEntry?> GetEventAsync(long id, CancellationToken cancellationToken) =>
        _journal.GetEventAsync(id, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ListEventsAsync(string? repository, long? beforeId, int limit, CancellationToken cancellationToken) =>
        _journal.ListEventsAsync(repository, beforeId, limit, cancellationToken);

    public Task EnqueueStatusAsync(string repository, string sha, CommitStatus status, DateTimeOffset at, CancellationToken cancellationToken) =>
        _outbox.EnqueueStatusAsync(repository, sha, status, at, cancellationToken);

    public Task<bool> EnqueueProjectedStatusesAsync(
        string positionKey, string? expected, string next, IReadOnlyList<ProjectedStatus> statuses, DateTimeOffset at, CancellationToken cancellationToken) =>
        _outbox.EnqueueProjectedStatusesAsync(positionKey, expected, next, statuses, at, cancellationToken);

    public Task<IReadOnlyList<StatusOutboxEntry>> ClaimDueStatusesAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken) =>
        _outbox.ClaimDueStatusesAsync(claimant, now, claimFor, limit, cancellationToken);

    public Task MarkStatusDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _outbox.MarkStatusDeliveredAsync(id, at, cancellationToken);

    public Task MarkStatusRetryAsync(long id, DateTimeOffset nextAttemptAt, string reason, CancellationToken cancellationToken) =>
        _outbox.MarkStatusRetryAsync(id, nextAttemptAt, reason, cancellationToken);

    public Task MarkStatusRejectedAsync(long id, DateTimeOffset at, string reason, CancellationToken cancellationToken) =>
        _outbox.MarkStatusRejectedAsync(id, at, reason, cancellationToken);

    public Task<IReadOnlyList<StatusOutboxEntry>> ListStatusesAsync(string repository, string sha, CancellationToken cancellationToken) =>
        _outbox.ListStatusesAsync(repository, sha, cancellationToken);

    public Task ReplaceSchedulesAsync(string repository, IReadOnlyList<ScheduleDefinition> schedules, CancellationToken cancellationToken) =>
        _schedules.ReplaceSchedulesAsync(repository, schedules, cancellationToken);

    public Task<IReadOnlyList<ScheduleEntry>> ListSchedulesAsync(CancellationToken cancellationToken) =>
        _schedules.ListSchedulesAsync(cancellationToken);

    public Task<bool> TryAdvanceScheduleAsync(long id, DateTimeOffset expected, DateTimeOffset next, CancellationToken cancellationToken) =>
        _schedules.TryAdvanceScheduleAsync(id, expected, next, cancellationToken);

    public Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken) =>
        _schedules.GetSettingAsync(key, cancellationToken);

    public Task<bool> TryAddSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        _schedules.TryAddSettingAsync(key, value, cancellationToken);

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        _schedules.SetSettingAsync(key, value, cancellationToken);
}
