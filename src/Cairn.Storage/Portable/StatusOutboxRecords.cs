using System.Data.Common;
using Cairn.Core.Forges;

namespace Cairn.Storage.Portable;

/// <summary>The status outbox, alike for both dialects except for how entries are claimed.</summary>
internal sealed class StatusOutboxRecords(IStatementRunner database, ClaimStatements claims) : IStatusOutbox
{
    public async Task EnqueueStatusAsync(string repository, string sha, CommitStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await database.ExecuteAsync(ServerSql.EnqueueStatus, command => BindStatus(command, repository, sha, status, at), cancellationToken);
    }

    public Task<bool> EnqueueProjectedStatusesAsync(
        string positionKey, string? expected, string next, IReadOnlyList<ProjectedStatus> statuses, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(positionKey);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(statuses);
        return database.InTransactionAsync(
            async transaction =>
            {
                // The position moves first: a projector that finds it moved writes nothing. On PostgreSQL a second
                // projector's move waits for the first's commit and then finds the value changed (or the key there).
                var moved = expected is null
                    ? await transaction.ExecuteAsync(ServerSql.AddSetting, c => c.Bind("@key", positionKey).Bind("@value", next), cancellationToken)
                    : await transaction.ExecuteAsync(
                        ServerSql.MoveSetting, c => c.Bind("@key", positionKey).Bind("@expected", expected).Bind("@value", next), cancellationToken);
                if (moved == 0)
                {
                    return false;
                }

                foreach (var queued in statuses)
                {
                    await transaction.ExecuteAsync(
                        ServerSql.EnqueueStatus, c => BindStatus(c, queued.Repository, queued.Sha, queued.Status, at), cancellationToken);
                }

                return true;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<StatusOutboxEntry>> ClaimDueStatusesAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var claimed = await database.InTransactionAsync(
            transaction => transaction.QueryAsync(
                claims.ClaimStatuses,
                command => command
                    .Bind("@claimant", claimant)
                    .Bind("@now", RecordRows.ToMillis(now))
                    .Bind("@until", RecordRows.ToMillis(now + claimFor))
                    .Bind("@limit", limit),
                ServerRows.ReadOutboxEntry,
                cancellationToken),
            cancellationToken);
        return [.. claimed.OrderBy(e => e.Id)];
    }

    public Task MarkStatusDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusDelivered, c => c.Bind("@id", id).Bind("@at", RecordRows.ToMillis(at)), cancellationToken);

    public Task MarkStatusRetryAsync(long id, DateTimeOffset nextAttemptAt, string reason, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusRetry,
            c => c.Bind("@id", id).Bind("@next", RecordRows.ToMillis(nextAttemptAt)).Bind("@reason", reason),
            cancellationToken);

    public Task MarkStatusRejectedAsync(long id, DateTimeOffset at, string reason, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusRejected,
            c => c.Bind("@id", id).Bind("@at", RecordRows.ToMillis(at)).Bind("@reason", reason),
            cancellationToken);

    public async Task<IReadOnlyList<StatusOutboxEntry>> ListStatusesAsync(string repository, string sha, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            ServerSql.StatusesOfCommit, c => c.Bind("@repository", repository).Bind("@sha", sha), ServerRows.ReadOutboxEntry, cancellationToken);

    private static void BindStatus(DbCommand command, string repository, string sha, CommitStatus status, DateTimeOffset at) =>
        command
            .Bind("@repository", repository)
            .Bind("@sha", sha)
            .Bind("@commit_state", ServerRows.Wire(status.State))
            .Bind("@context", status.Context)
            .Bind("@description", status.Description)
            .Bind("@target", status.TargetUrl)
            .Bind("@at", RecordRows.ToMillis(at));
}
